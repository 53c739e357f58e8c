"""WhyRec causal layer."""
