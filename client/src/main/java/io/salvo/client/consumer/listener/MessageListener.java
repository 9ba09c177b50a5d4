package io.salvo.client.consumer.listener;

/**
 * Marker of the listener kinds a push consumer accepts (RocketMQ's name): {@link MessageListenerConcurrently} or
 * {@link MessageListenerOrderly}.
 */
public interface MessageListener {}
