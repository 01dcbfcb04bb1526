"""Delivery channels: each implements `Channel.deliver(delivery) -> DeliveryResult`."""
