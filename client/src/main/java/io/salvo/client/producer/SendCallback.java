package io.salvo.client.producer;

/**
 * The result of an asynchronous send. Exactly one method is called, once, on the producer's callback thread pool
 * (never on the caller's thread, never on an I/O thread). A callback that blocks holds a pool thread.
 */
public interface SendCallback {
  void onSuccess(SendResult sendResult);

  /**
   * The send failed: a {@link io.salvo.client.exception.MQClientException} (invalid message),
   * {@link io.salvo.client.exception.MQBrokerException} (the broker's error) or
   * {@link io.salvo.client.exception.RemotingException} (no answer in time, broker unreachable).
   */
  void onException(Throwable e);
}
