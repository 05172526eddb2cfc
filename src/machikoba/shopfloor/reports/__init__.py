"""The daily reports (日報) beyond their main ``*_reports`` modules: the checks every write
makes (``rules``), the master data writes (``master_data``: reasons, hourly rates), the
actual cost per job (``costs``) and the settings pages (``views_master``)."""
