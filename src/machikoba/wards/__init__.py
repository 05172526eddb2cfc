"""Municipalities (自治体): the wards and cities whose support offices run the platform
together, and the groups they form (特別区). Reference data read by every app above."""
