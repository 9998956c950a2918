"""Writes about partner organisations (`organisations`), referrals (`referrals`) and pools
(`pools`); callers import from the module that defines what they need."""
