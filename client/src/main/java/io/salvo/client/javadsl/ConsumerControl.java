package io.salvo.client.javadsl;

import akka.Done;
import akka.NotUsed;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.stream.javadsl.MergeHub;
import akka.stream.javadsl.Sink;
import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.internal.BrokerAddress;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.internal.ClientSettings;
import io.salvo.client.internal.ConsumeOptions;
import io.salvo.client.internal.PushConsumerActor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One materialized {@link SalvoSource}: its client ActorSystem, whose guardian is the push consumer's
 * {@link PushConsumerActor} with a {@link StreamDelivery}, and the MergeHub the queues feed.
 *
 * <p>Life cycle: the Source's termination (cancelled or failed downstream) shuts the consumer down at once, except
 * after {@link #stop()}, when the rest of the stream may still commit: then it shuts down after the stop timeout
 * unless {@link #shutdown()} comes first. The system's termination, however it happens, drains the hub so that the
 * Source completes, and completes {@link #isShutdown()}.
 *
 * <p>Thread safe: the flags are atomic, the futures complete once.
 */
final class ConsumerControl implements SalvoSource.Control {
  private static final Logger log = LoggerFactory.getLogger(ConsumerControl.class);

  private final ConsumerSettings settings;
  private final String clientId;
  private final ActorSystem<PushConsumerActor.Command> system;
  private final StreamDelivery delivery;
  private final MergeHub.DrainingControl hub;
  /** Completed by the actor once its last commits were answered (or timed out) and it left the group. */
  private final CompletableFuture<Void> actorStopped = new CompletableFuture<>();
  private final CompletableFuture<Done> sourceStopped = new CompletableFuture<>();
  private final CompletableFuture<Done> shutDown = new CompletableFuture<>();
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final AtomicBoolean shutdownRequested = new AtomicBoolean();

  private ConsumerControl(ConsumerSettings settings, String clientId, ActorSystem<PushConsumerActor.Command> system,
      StreamDelivery delivery, MergeHub.DrainingControl hub) {
    this.settings = settings;
    this.clientId = clientId;
    this.system = system;
    this.delivery = delivery;
    this.hub = hub;
  }

  /** Starts a member of the group feeding {@code hubSink}; called when the Source is materialized. */
  static ConsumerControl start(ConsumerSettings settings, Subscription subscription, List<BrokerAddress> addresses,
      Sink<CommittableMessage, NotUsed> hubSink, MergeHub.DrainingControl hub, CompletionStage<Done> terminated) {
    String clientId = ClientRuntime.clientId(settings.instanceName(), "stream-");
    StreamDelivery delivery = new StreamDelivery(hubSink, settings.group());
    ClientSettings client = settings.clientSettings();
    ClientSettings.Consumer c = client.consumer();
    // Batches as large as a received element: the stream delivery splits them into messages anyway; the listener
    // settings (reconsume delay, suspend time) are not used by a stream delivery.
    ConsumeOptions options = ConsumeOptions.of(c, settings.receiveMaxBatch(), settings.receiveMaxBatch(),
        settings.receiveMaxBatch(), c.suspendCurrentQueueTime());
    long consumeTimestampMs = settings.consumeFromWhere() == ConsumeFromWhere.CONSUME_FROM_TIMESTAMP
        ? settings.consumeTimestamp().toEpochMilli() : 0;
    PushConsumerActor.Setup setup = new PushConsumerActor.Setup(settings.group(), clientId,
        subscription.filters(), settings.consumeFromWhere(), consumeTimestampMs, options, client, addresses, delivery);
    ActorSystem<PushConsumerActor.Command> system =
        ClientRuntime.start(PushConsumerActor.create(setup), "stream-consumer", settings.group());
    ConsumerControl control = new ConsumerControl(settings, clientId, system, delivery, hub);
    // A JVM exit without shutdown() still commits what was committed, before the system goes down.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "salvo-stream-commit",
        () -> control.requestShutdown().handle((v, failure) -> Done.getInstance()));
    system.getWhenTerminated().whenComplete((t, failure) -> control.onSystemTerminated());
    terminated.whenComplete((done, failure) -> control.onSourceTerminated(failure));
    log.info("Stream consumer group '{}' client '{}' started; subscriptions {}; brokers {}; {}", settings.group(),
        clientId, subscription, addresses, settings);
    return control;
  }

  @Override
  public CompletionStage<Done> stop() {
    if (stopRequested.compareAndSet(false, true) && !shutdownRequested.get()) {
      log.info("Stream consumer group '{}' client '{}': stopping the Source; committing for {} more unless shut down"
          + " sooner", settings.group(), clientId, settings.stopTimeout());
      delivery.stop();
      hub.drainAndComplete();
    }
    return sourceStopped;
  }

  @Override
  public CompletionStage<Done> shutdown() {
    requestShutdown();
    return shutDown;
  }

  @Override
  public CompletionStage<Done> isShutdown() {
    return shutDown;
  }

  @Override
  public <T> CompletionStage<T> drainAndShutdown(CompletionStage<T> streamCompletion, Executor executor) {
    stop();
    CompletableFuture<T> result = new CompletableFuture<>();
    streamCompletion.whenCompleteAsync((value, failure) -> shutdown().whenComplete((done, ignored) -> {
      if (failure != null) {
        result.completeExceptionally(failure);
      } else {
        result.complete(value);
      }
    }), executor);
    return result;
  }

  /** Asks the actor to stop (once); completes when it has committed and left, bounded, then terminates the system. */
  private CompletableFuture<Void> requestShutdown() {
    if (shutdownRequested.compareAndSet(false, true)) {
      log.info("Stream consumer group '{}' client '{}': shutting down", settings.group(), clientId);
      system.tell(new PushConsumerActor.Shutdown(actorStopped));
      hub.drainAndComplete(); // no queue starts any more; the Source completes when the stopped queues have emitted
      ClientSettings client = settings.clientSettings();
      long bound = client.consumer().shutdownTimeout().plus(client.requestTimeout()).toMillis() + 10_000;
      actorStopped.orTimeout(bound, TimeUnit.MILLISECONDS).whenComplete((v, failure) -> {
        if (failure != null) {
          log.warn("Stream consumer group '{}' client '{}': shutdown did not complete in {} ms; terminating",
              settings.group(), clientId, bound);
          system.terminate();
        }
      });
    }
    return actorStopped;
  }

  private void onSourceTerminated(Throwable failure) {
    sourceStopped.complete(Done.getInstance());
    if (shutdownRequested.get()) {
      return;
    }
    Duration wait = settings.stopTimeout();
    if (stopRequested.get() && !wait.isZero()) {
      try {
        system.scheduler().scheduleOnce(wait, this::requestShutdown, system.executionContext());
      } catch (IllegalStateException terminated) {
        requestShutdown();
      }
      return;
    }
    if (failure != null) {
      log.info("Stream consumer group '{}' client '{}': the stream failed ({}); shutting down", settings.group(),
          clientId, failure.toString());
    }
    requestShutdown();
  }

  private void onSystemTerminated() {
    hub.drainAndComplete();
    actorStopped.complete(null);
    sourceStopped.complete(Done.getInstance()); // for a Source never run
    if (shutDown.complete(Done.getInstance())) {
      log.info("Stream consumer group '{}' client '{}' shut down", settings.group(), clientId);
    }
  }
}
