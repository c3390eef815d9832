"""The commune itself as its residents and officials see it: public profile and who am I here."""
