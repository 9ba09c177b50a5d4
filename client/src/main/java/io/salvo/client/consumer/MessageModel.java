package io.salvo.client.consumer;

/** How a push consumer's group shares a topic's messages (RocketMQ's {@code MessageModel}). */
public enum MessageModel {
  /** Each message goes to one member of the group: the group splits the topic's queues among its members. */
  CLUSTERING,
  /**
   * Each member gets every message, with its own committed offsets: a member is identified by its host and
   * {@linkplain DefaultMQPushConsumer#setInstanceName instance name}, so a member restarted with the same ones resumes
   * where it left off (give members on one host distinct instance names).
   */
  BROADCASTING
}
