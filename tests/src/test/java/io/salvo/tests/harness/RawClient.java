package io.salvo.tests.harness;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.grpc.GrpcClientSettings;
import com.typesafe.config.ConfigFactory;
import io.salvo.core.protocol.v1.MessagingServiceClient;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** The generated gRPC client, for tests that send what the Java client would never send. */
public final class RawClient implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final MessagingServiceClient client;

  public RawClient(int port) {
    system = ActorSystem.create(Behaviors.empty(), "raw-client",
        ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .withFallback(ConfigFactory.defaultReference()));
    client = MessagingServiceClient.create(
        GrpcClientSettings.connectToServiceAt("127.0.0.1", port, system).withTls(false).withBackend("akka-http"),
        system);
  }

  public MessagingServiceClient client() {
    return client;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer within 10 s: " + e, e);
    }
  }

  @Override
  public void close() {
    client.close();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception ignored) {
      // best effort
    }
  }
}
