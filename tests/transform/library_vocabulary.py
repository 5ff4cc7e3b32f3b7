"""Facts of the Home Office DHR library that several tests check the reference data against,
written here by hand from its real listing page (OGL v3.0), not read from the project's files."""

# The library's 44 police force areas, as its "Police force area" filter names them.
LIBRARY_POLICE_FORCE_AREAS = {
    "Bedfordshire", "Cambridgeshire", "Essex", "Hertfordshire", "Norfolk", "Suffolk", "Derbyshire", "Leicestershire",
    "Lincolnshire", "Northamptonshire", "Nottinghamshire", "Metropolitan Police", "City of London", "Cleveland",
    "Durham", "Northumbria", "Cheshire", "Cumbria", "Greater Manchester", "Lancashire", "Merseyside", "Hampshire",
    "Kent", "Surrey", "Sussex", "Thames Valley", "Avon and Somerset", "Devon and Cornwall", "Dorset",
    "Gloucestershire", "North Devon", "Wiltshire", "Dyfed-Powys", "Gwent", "North Wales", "South Wales",
    "Staffordshire", "Warwickshire", "West Mercia", "West Midlands", "Humberside", "North Yorkshire",
    "South Yorkshire", "West Yorkshire",
}
