"""号码研判: operator extracts scored by the numbers engine, reviewed by analysts, sent to warnings."""
