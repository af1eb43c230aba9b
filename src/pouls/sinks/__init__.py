"""Where actions leave pouls: webhook, e-mail, Telegram, MQTT, replies on the channel."""
