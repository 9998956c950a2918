"""The coordinator's dashboard: what needs a coordinator's attention in their time bank, read
from the other apps, and its "see all" pages. No models of its own."""
