"""The steps of agency resolution, one module each, composed by
:func:`dhr_etl.transform.agencies.resolve_agencies`.

Every step that joins spellings takes what it needs (the clusters so far, the spellings by match
key, how each was matched so far) and returns a :class:`~.clusters.StepResult`: the joins it made,
how the spellings it joined were matched, and its findings. It works on its own copy of the
clusters, so a step can change nothing it was given; the composer applies each result before the
next step runs. In order:

1. :mod:`.spellings`: every printed spelling under its match key;
2. :mod:`.curated`: curated aliases (``reference/agency_aliases.csv``) join first and always win;
3. :mod:`.catalogue_lookup`: a spelling that is a catalogue body's name, alias or acronym is that
   body (letters several bodies share are read in each review's place);
4. :mod:`.run_together`: "Safe Lives" and "SafeLives";
5. :mod:`.acronyms`: acronyms derived from the names in the data and the recommendation text;
6. :mod:`.typos`: one-letter typos of catalogue names;
7. :mod:`.fuzzy`: conservative fuzzy matching (a near miss is reported, not merged);
8. :mod:`.agency_rows`: one row per body (its key, name, sector, level, successor) and one per
   spelling;
9. :mod:`.in_context`: generic names ("Police") and shared names read in each review's place;
10. :mod:`.findings`: what needs a human.
"""
