package io.salvo.client.internal;

import akka.actor.ClassicActorSystemProvider;
import akka.grpc.GrpcClientSettings;
import io.salvo.core.protocol.v1.MessagingServiceClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gRPC client per broker address, created on first use (akka-http backend, plaintext HTTP/2), dropped when it
 * closes by itself, all closed by {@link #closeAll}. Also the rotation over the address list. Thread safe: the
 * actors and the consumer's streams share it.
 */
public final class BrokerConnections {
  private static final Logger log = LoggerFactory.getLogger(BrokerConnections.class);
  /** Sends that may wait to enter a Publish stream (beyond the broker's own window, which backpressures). */
  private static final int PUBLISH_BUFFER = 16384;

  private final List<BrokerAddress> addresses;
  private final ClassicActorSystemProvider system;
  private final ConcurrentHashMap<BrokerAddress, MessagingServiceClient> clients = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<BrokerAddress, PublishStream> publishers = new ConcurrentHashMap<>();
  private final AtomicInteger rotation = new AtomicInteger();
  private volatile boolean closed;

  public BrokerConnections(List<BrokerAddress> addresses, ClassicActorSystemProvider system) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no broker address");
    }
    this.addresses = List.copyOf(addresses);
    this.system = system;
    this.rotation.set(Math.floorMod((int) System.nanoTime(), addresses.size()));
  }

  public List<BrokerAddress> addresses() {
    return addresses;
  }

  /** The address at {@code index} modulo the list size. */
  public BrokerAddress address(int index) {
    return addresses.get(Math.floorMod(index, addresses.size()));
  }

  /** The next address of a rotation shared by all callers. */
  public BrokerAddress nextAddress() {
    return address(nextIndex());
  }

  /** The next index of that rotation, for a caller that then walks the list on its own from there. */
  public int nextIndex() {
    return rotation.getAndIncrement();
  }

  /** The client of {@code address}, created on first use. */
  public MessagingServiceClient client(BrokerAddress address) {
    if (closed) {
      throw new IllegalStateException("broker connections are closed");
    }
    return clients.computeIfAbsent(address, this::connect);
  }

  /** The open Publish stream to {@code address}; a new one when there is none or the last one closed. */
  public PublishStream publisher(BrokerAddress address) {
    MessagingServiceClient client = client(address);
    return publishers.compute(address, (a, current) ->
        current != null && current.isOpen() ? current : PublishStream.open(a.toString(), client, system, PUBLISH_BUFFER));
  }

  private MessagingServiceClient connect(BrokerAddress address) {
    GrpcClientSettings settings = GrpcClientSettings.connectToServiceAt(address.host(), address.port(), system)
        .withTls(false)
        .withBackend("akka-http");
    MessagingServiceClient client = MessagingServiceClient.create(settings, system);
    client.closed().whenComplete((done, failure) -> {
      clients.remove(address, client);
      if (failure != null && !closed) {
        log.warn("Connection to broker {} closed: {}", address, Errors.describe(failure));
      }
    });
    return client;
  }

  /** Closes every client; the stage completes when all are closed. Later {@link #client} calls fail. */
  public CompletableFuture<Void> closeAll() {
    closed = true;
    publishers.values().forEach(PublishStream::complete);
    publishers.clear();
    List<CompletableFuture<?>> closing = new ArrayList<>();
    for (MessagingServiceClient c : clients.values()) {
      closing.add(c.close().toCompletableFuture());
    }
    clients.clear();
    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
  }
}
