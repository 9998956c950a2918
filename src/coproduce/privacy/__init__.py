"""A member's privacy and their data (issue 10): erasing a person ("Erase me", or a coordinator's
erasure), downloading everything about oneself, and pruning personal data that is no longer
needed. It sits above the domain apps, like `portability`, because erasing touches listings,
exchanges, thanks, the ledger's accounts and referrals, and writes only through their services
where they have one. Who sees a member's contact details is decided in community
(`community.selectors.contact_visible_to`); the choices are set on this app's Privacy page.
"""
