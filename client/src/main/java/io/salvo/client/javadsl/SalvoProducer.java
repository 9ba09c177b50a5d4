package io.salvo.client.javadsl;

import akka.Done;
import akka.NotUsed;
import akka.japi.Pair;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import io.salvo.client.exception.MQBrokerException;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.RemotingException;
import io.salvo.client.internal.Errors;
import io.salvo.client.message.Message;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.core.error.SalvoException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sending as Akka Streams stages: each element is sent as by {@link DefaultMQProducer#sendAsync} (round-robin over
 * the topic's queues, or its sharding key's queue), at most {@code parallelism} sends in flight, backpressured
 * beyond that. Results are emitted in stream order.
 *
 * <p>Life cycle: each materialization starts a producer and shuts it down when the stream ends (completes, fails or
 * is cancelled), unless {@link ProducerSettings#withProducer} shares one.
 *
 * <p>Errors: a send that fails after its retries ({@link MQClientException} for a message the client rejects, e.g.
 * MESSAGE_TOO_LARGE; {@link MQBrokerException} for the broker's error; {@link RemotingException} when no broker
 * answered in time) fails the stream with that exception; sends still in flight then may or may not be stored.
 * Delivery to the broker is at least once per element that was emitted as a result; a failed send may nevertheless
 * have been stored.
 *
 * <p>Thread safety: the stages are immutable blueprints that may be shared and materialized from any thread; each
 * materialization has its own producer (or uses the shared one, which is thread safe).
 */
public final class SalvoProducer {
  private static final Logger log = LoggerFactory.getLogger(SalvoProducer.class);
  private static final String BLOCKING_DISPATCHER = "akka.actor.default-blocking-io-dispatcher";

  private SalvoProducer() {}

  /**
   * Sends every message; the stage completes when all were acknowledged by the broker (and the producer, if the
   * sink started one, shut down), or fails with the first failed send.
   *
   * @throws SalvoException BAD_REQUEST when no broker address is configured or the list is malformed
   */
  public static Sink<Message, CompletionStage<Done>> sink(ProducerSettings settings) {
    return sending(settings, (Message m) -> m, (m, result) -> result)
        .toMat(Sink.ignore(), SalvoProducer::afterClose);
  }

  /**
   * Sends every message and emits its {@link SendResult} (message id, queue, offset), in stream order.
   *
   * @throws SalvoException BAD_REQUEST when no broker address is configured or the list is malformed
   */
  public static Flow<Message, SendResult, NotUsed> flow(ProducerSettings settings) {
    return sending(settings, (Message m) -> m, (m, result) -> result).mapMaterializedValue(closed -> NotUsed.notUsed());
  }

  /**
   * Sends each pair's message and emits its result with the pair's pass-through value, e.g. the
   * {@link CommittableOffset} of the message it was made from, to commit once the new message is stored.
   *
   * @throws SalvoException BAD_REQUEST when no broker address is configured or the list is malformed
   */
  public static <P> Flow<Pair<Message, P>, Pair<SendResult, P>, NotUsed> flowWithPassThrough(
      ProducerSettings settings) {
    return sending(settings, (Pair<Message, P> in) -> in.first(), (in, result) -> Pair.create(result, in.second()))
        .mapMaterializedValue(closed -> NotUsed.notUsed());
  }

  /** The sending flow; its materialized stage completes when the stream ended and its own producer shut down. */
  private static <I, O> Flow<I, O, CompletionStage<Done>> sending(ProducerSettings settings,
      Function<I, Message> message, BiFunction<I, SendResult, O> result) {
    settings.check();
    Flow<I, O, CompletionStage<CompletionStage<Done>>> flow = Flow.fromMaterializer((materializer, attributes) -> {
      DefaultMQProducer producer = settings.open();
      boolean owned = settings.producer() == null;
      Executor blocking = materializer.system().dispatchers().lookup(BLOCKING_DISPATCHER);
      return Flow.<I>create()
          .mapAsync(settings.parallelism(), in -> send(producer, message.apply(in)).thenApply(r -> result.apply(in, r)))
          .watchTermination((notUsed, ended) -> ended.handle((done, failure) -> Done.getInstance())
              .thenComposeAsync(d -> owned ? close(producer) : CompletableFuture.completedFuture(d), blocking));
    });
    return flow.mapMaterializedValue(nested -> nested.thenCompose(closed -> closed));
  }

  private static CompletionStage<SendResult> send(DefaultMQProducer producer, Message message) {
    CompletableFuture<SendResult> sent = new CompletableFuture<>();
    try {
      producer.sendAsync(message).whenComplete((r, failure) -> {
        if (failure == null) {
          sent.complete(r);
        } else {
          sent.completeExceptionally(Errors.unwrap(failure));
        }
      });
    } catch (MQClientException e) {
      sent.completeExceptionally(e);
    }
    return sent;
  }

  /** Shuts a producer the stream started down; runs on the blocking dispatcher (shutdown waits). */
  private static CompletionStage<Done> close(DefaultMQProducer producer) {
    try {
      producer.shutdown();
    } catch (RuntimeException e) {
      log.warn("Producer group '{}' of a stream did not shut down cleanly", producer.getProducerGroup(), e);
    }
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  /** The stream's outcome, once the producer has been shut down too. */
  private static CompletionStage<Done> afterClose(CompletionStage<Done> closed, CompletionStage<Done> streamDone) {
    CompletableFuture<Done> out = new CompletableFuture<>();
    streamDone.whenComplete((done, failure) -> closed.whenComplete((c, ignored) -> {
      if (failure != null) {
        out.completeExceptionally(Errors.unwrap(failure));
      } else {
        out.complete(Done.getInstance());
      }
    }));
    return out;
  }
}
