"""Pages of the advisor dispatch: the advisor's home, the company's page, the engagement
page its people share, and the office's pages under ``office/advisory/``."""
