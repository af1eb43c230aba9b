"""How batches travel between stages: an in-process queue by default, NATS JetStream at scale."""
