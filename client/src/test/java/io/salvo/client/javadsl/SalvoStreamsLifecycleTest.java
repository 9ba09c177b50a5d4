package io.salvo.client.javadsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.japi.Pair;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.message.Message;
import io.salvo.core.error.ErrorCode;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Life cycle of the stream stages against an address where no broker answers: they start, stop and fail cleanly. */
class SalvoStreamsLifecycleTest {
  private static final Config CONFIG = ConfigFactory.parseString("salvo.client.request-timeout = 1s")
      .withFallback(ConfigFactory.load());

  private ActorSystem<Void> system;
  private String nowhere;

  private ServerSocket silent;

  /**
   * A port that accepts connections and never answers: calls time out (request timeout 1 s) instead of being
   * refused, and closing the clients is quick (a refused address keeps them reconnecting until the close times out).
   */
  @BeforeEach
  void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "lifecycle", ClientRuntime.config());
    silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    nowhere = "127.0.0.1:" + silent.getLocalPort();
    Thread acceptor = new Thread(() -> {
      List<java.net.Socket> held = new java.util.ArrayList<>();
      try {
        while (true) {
          held.add(silent.accept());
        }
      } catch (java.io.IOException closed) {
        held.forEach(socket -> {
          try {
            socket.close();
          } catch (java.io.IOException ignored) {
            // closing anyway
          }
        });
      }
    }, "silent-broker");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    silent.close();
  }

  private Source<CommittableMessage, SalvoSource.Control> source(Duration stopTimeout) {
    return SalvoSource.committable(ConsumerSettings.create(CONFIG, "LifecycleGroup").withNamesrvAddr(nowhere)
        .withStopTimeout(stopTimeout), Subscriptions.topics("LifecycleTopic", "*"));
  }

  @Test
  void shutdownCompletesTheSourceAndTheConsumer() throws Exception {
    Pair<SalvoSource.Control, CompletionStage<Done>> run =
        source(Duration.ofSeconds(30)).toMat(Sink.ignore(), Keep.both()).run(system);
    run.first().shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    run.second().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(run.first().isShutdown().toCompletableFuture().isDone());
  }

  @Test
  void cancellingTheStreamShutsTheConsumerDown() throws Exception {
    SalvoSource.Control control = source(Duration.ofSeconds(30)).to(Sink.cancelled()).run(system);
    control.isShutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void afterStopTheSourceCompletesAndTheConsumerShutsDownAfterTheStopTimeout() throws Exception {
    Pair<SalvoSource.Control, CompletionStage<Done>> run =
        source(Duration.ofMillis(300)).toMat(Sink.ignore(), Keep.both()).run(system);
    run.first().stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    run.second().toCompletableFuture().get(10, TimeUnit.SECONDS);
    run.first().isShutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void drainAndShutdownGivesTheStreamsResultOnceShutDown() throws Exception {
    SalvoSource.DrainingControl<List<CommittableMessage>> control =
        source(Duration.ofSeconds(30)).toMat(Sink.seq(), SalvoSource::createDrainingControl).run(system);
    assertEquals(List.of(), control.drainAndShutdown(system.executionContext()).toCompletableFuture()
        .get(30, TimeUnit.SECONDS));
    assertTrue(control.isShutdown().toCompletableFuture().isDone());
  }

  @Test
  void aMessageTheClientRejectsFailsTheProducerSinkWithItsError() {
    ProducerSettings settings = ProducerSettings.create(CONFIG, "LifecycleProducer").withNamesrvAddr(nowhere);
    Message tooLarge = new Message("LifecycleTopic", "A", new byte[4 * 1024 * 1024 + 1]);
    ExecutionException e = assertThrows(ExecutionException.class, () -> Source.single(tooLarge)
        .runWith(SalvoProducer.sink(settings), system).toCompletableFuture().get(30, TimeUnit.SECONDS));
    MQClientException cause = assertInstanceOf(MQClientException.class, e.getCause());
    assertEquals(ErrorCode.MESSAGE_TOO_LARGE, cause.errorCode());
  }

  @Test
  void noBrokerAnsweringFailsTheProducerFlowWithARetriableError() {
    ProducerSettings settings = ProducerSettings.create(CONFIG, "LifecycleProducer").withNamesrvAddr(nowhere)
        .withSendTimeout(Duration.ofMillis(500)).withRetryTimes(0);
    ExecutionException e = assertThrows(ExecutionException.class, () -> Source.single(
            new Message("LifecycleTopic", "A", new byte[] {1}))
        .via(SalvoProducer.flow(settings)).runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS));
    SalvoClientException cause = assertInstanceOf(SalvoClientException.class, e.getCause());
    assertTrue(cause.isRetriable(), cause.toString());
  }
}
