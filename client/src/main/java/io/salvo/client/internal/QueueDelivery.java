package io.salvo.client.internal;

import akka.Done;
import akka.stream.javadsl.Sink;
import io.salvo.client.message.MessageExt;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What a consumer does with the batches received from one assigned queue: call a listener ({@link ListenerDelivery},
 * the push consumer) or hand the messages on to a stream that acknowledges them later (the Akka Streams source and
 * the lite pull consumer). A message counts as consumed, and the group's offset may pass it, only once its offset is
 * acknowledged to the queue's {@link OffsetTracker}.
 */
public interface QueueDelivery {

  /**
   * The sink one queue's batches run into. Its materialized stage completes when every batch it took has been
   * handed over (and, for a listener, processed): the queue is then stopped and its offset committed. It must
   * backpressure rather than buffer without bound.
   */
  Sink<List<MessageExt>, CompletionStage<Done>> sink(QueueConsumer queue);

  /**
   * Called once when {@code queue} starts stopping (by the consumer actor, before the stream is shut down). A delivery
   * that holds batches for later (the lite pull consumer's poll buffer) drops them here and stops waiting for room,
   * so that the sink completes; they stay unacknowledged, so the committed offset never passes them. By default
   * nothing: a listener still gets the batches already received.
   */
  default void stopping(QueueConsumer queue) {}
}
