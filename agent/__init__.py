"""WhyRec agent layer."""
