package io.salvo.client.javadsl;

import akka.Done;
import akka.stream.javadsl.MergeHub;
import akka.stream.javadsl.Source;
import io.salvo.client.internal.BrokerAddress;
import io.salvo.core.error.SalvoException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Consumer group members as Akka Streams {@link Source}s: the push consumer's group machinery (heartbeats, queue
 * assignment, hand-over release-before-grant, offset commits) with the messages of all assigned queues merged into
 * one backpressured Source instead of a listener.
 *
 * <pre>{@code
 * SalvoSource.committable(ConsumerSettings.create("Group").withNamesrvAddr("localhost:9876"),
 *         Subscriptions.topics("TopicTest", "*"))
 *     .mapAsync(4, msg -> process(msg.message()).thenApply(done -> msg.committableOffset()))
 *     .toMat(SalvoSink.committer(), SalvoSource::createDrainingControl)
 *     .run(system);
 * }</pre>
 *
 * <p>Delivery is at least once. Each queue's committed offset is its smallest message not yet committed by the
 * stream; the consumer sends it to the broker every commit interval, when the group moves the queue, and at shutdown
 * (see {@link CommittableOffset}). After a crash, a restart, or a hand-over, the messages after the last committed
 * offset are consumed again, possibly by another member; without a membership change and with every message
 * committed, each message is emitted once. Order: the messages of one queue are emitted in offset order; queues are
 * interleaved.
 *
 * <p>Flow control: each queue holds at most one received stream element plus {@code per-queue-buffer} messages
 * waiting for the stream; beyond that its ReceiveMessages stream is not pulled, gRPC flow control stops the broker
 * from sending, and the broker reads nothing more from its journal for this member. A slow stream slows only its
 * own group member.
 *
 * <p>Thread safety: a Source returned here is an immutable blueprint that may be shared and materialized from any
 * thread; each materialization is independent. Elements are emitted on the stream's own materializer; the consumer's
 * actors and queue streams run in its client ActorSystem.
 */
public final class SalvoSource {
  private SalvoSource() {}

  /**
   * Stops and shuts down a materialized {@link SalvoSource}. Thread safe; every method may be called from any thread,
   * any number of times.
   */
  public interface Control {
    /**
     * Stops emitting: the queues stop handing messages on, and the Source completes once what they had taken was
     * emitted. The consumer stays in its group and keeps committing what the rest of the stream commits, until
     * {@link #shutdown()} or, by itself, the stop timeout later ({@code salvo.client.streams.consumer.stop-timeout}).
     * The stage completes when the Source has completed.
     */
    CompletionStage<Done> stop();

    /**
     * Shuts the consumer down: its queues stop (their taken messages are still emitted, and the Source completes),
     * each queue's offset is committed a last time, the consumer leaves its group (so its queues move to other
     * members at once) and closes its connections. Messages emitted but committed after that are not committed
     * (they are consumed again later); use {@link #drainAndShutdown} to let the stream commit them first. The stage
     * completes when the consumer has shut down; bounded by {@code salvo.client.consumer.shutdown-timeout} plus the
     * request timeout.
     */
    CompletionStage<Done> shutdown();

    /** Completes when the consumer has shut down (after {@link #shutdown()}, or when the stream was cancelled). */
    CompletionStage<Done> isShutdown();

    /**
     * {@link #stop()}, then waits for {@code streamCompletion} (the stream's end, e.g. the committer sink's stage, so
     * that every emitted message went through the stream and was committed), then {@link #shutdown()}. The result
     * completes with the stream's result (or its failure) once the consumer has shut down.
     */
    <T> CompletionStage<T> drainAndShutdown(CompletionStage<T> streamCompletion, Executor executor);
  }

  /** A {@link Control} together with the stream's completion, as a stream's one materialized value. */
  public static final class DrainingControl<T> implements Control {
    private final Control control;
    private final CompletionStage<T> streamCompletion;

    private DrainingControl(Control control, CompletionStage<T> streamCompletion) {
      this.control = control;
      this.streamCompletion = streamCompletion;
    }

    /** The stream's completion (e.g. the sink's materialized stage). */
    public CompletionStage<T> streamCompletion() {
      return streamCompletion;
    }

    /** {@link Control#drainAndShutdown} with this stream's completion. */
    public CompletionStage<T> drainAndShutdown(Executor executor) {
      return control.drainAndShutdown(streamCompletion, executor);
    }

    @Override
    public CompletionStage<Done> stop() {
      return control.stop();
    }

    @Override
    public CompletionStage<Done> shutdown() {
      return control.shutdown();
    }

    @Override
    public CompletionStage<Done> isShutdown() {
      return control.isShutdown();
    }

    @Override
    public <U> CompletionStage<U> drainAndShutdown(CompletionStage<U> completion, Executor executor) {
      return control.drainAndShutdown(completion, executor);
    }
  }

  /**
   * Pairs a Source's control with the stream's completion, for {@code toMat(sink, SalvoSource::createDrainingControl)}.
   */
  public static <T> DrainingControl<T> createDrainingControl(Control control, CompletionStage<T> streamCompletion) {
    return new DrainingControl<>(Objects.requireNonNull(control, "control"),
        Objects.requireNonNull(streamCompletion, "streamCompletion"));
  }

  /**
   * A member of consumer group {@code settings.group()} consuming {@code subscription}, as a Source of messages to
   * commit. Every materialization is a new member: it starts its own client ActorSystem, joins the group, consumes the
   * queues the group assigns it, and shuts down when the stream is cancelled or fails, or through its
   * {@link Control}. Messages are not committed unless the stream commits them ({@link SalvoSink#committer()}).
   *
   * @throws SalvoException BAD_REQUEST when no broker address is configured or the list is malformed
   */
  public static Source<CommittableMessage, Control> committable(ConsumerSettings settings,
      Subscription subscription) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(subscription, "subscription");
    List<BrokerAddress> addresses = settings.brokerAddresses();
    return MergeHub.withDraining(CommittableMessage.class, settings.perQueueBuffer())
        .watchTermination((hub, terminated) ->
            ConsumerControl.start(settings, subscription, addresses, hub.first(), hub.second(), terminated));
  }
}
