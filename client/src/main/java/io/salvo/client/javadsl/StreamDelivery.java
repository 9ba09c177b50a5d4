package io.salvo.client.javadsl;

import akka.Done;
import akka.NotUsed;
import akka.stream.KillSwitches;
import akka.stream.SharedKillSwitch;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import io.salvo.client.internal.QueueConsumer;
import io.salvo.client.internal.QueueDelivery;
import io.salvo.client.message.MessageExt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The delivery of a {@link SalvoSource}: each assigned queue's batches become {@link CommittableMessage}s that run
 * into the consumer's one merged Source (a MergeHub sink per queue, whose small per-producer buffer backpressures
 * the queue's stream). A queue's sink completes as soon as its messages are in the hub, not when they are committed,
 * so that a queue can move to another member whatever the stream downstream does; its uncommitted messages stay
 * above the committed offset and are consumed again there.
 *
 * <p>{@link #stop()} ends every queue's hand-over at once (the queues stay assigned and keep committing), and every
 * queue started later hands over nothing: that is {@link SalvoSource.Control#stop()}.
 *
 * <p>Thread safety: {@link #sink} is called by the consumer actor, {@link #stop()} from any thread.
 */
final class StreamDelivery implements QueueDelivery {
  private final Sink<CommittableMessage, NotUsed> hub;
  private final SharedKillSwitch stopSwitch;

  StreamDelivery(Sink<CommittableMessage, NotUsed> hub, String name) {
    this.hub = hub;
    this.stopSwitch = KillSwitches.shared("salvo-stream-stop-" + name);
  }

  @Override
  public Sink<List<MessageExt>, CompletionStage<Done>> sink(QueueConsumer queue) {
    return Flow.<List<MessageExt>>create()
        .via(stopSwitch.flow())
        .mapConcat(batch -> committable(queue, batch))
        .watchTermination((notUsed, handedOver) -> handedOver)
        .toMat(hub, Keep.left());
  }

  /** Stops handing messages on; what each queue already took is still emitted. Idempotent. */
  void stop() {
    stopSwitch.shutdown();
  }

  private static List<CommittableMessage> committable(QueueConsumer queue, List<MessageExt> batch) {
    List<CommittableMessage> out = new ArrayList<>(batch.size());
    for (MessageExt m : batch) {
      out.add(new CommittableMessage(m, new CommittableOffset(queue.tracker(), queue.group(), queue.topic(),
          queue.queueId(), m.getQueueOffset())));
    }
    return out;
  }
}
