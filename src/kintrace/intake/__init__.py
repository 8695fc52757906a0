"""② Intake: enquiry and report schemas shared by forms, API and importers, and their services."""
