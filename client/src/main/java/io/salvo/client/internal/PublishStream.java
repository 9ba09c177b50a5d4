package io.salvo.client.internal;

import akka.NotUsed;
import akka.actor.ClassicActorSystemProvider;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.Materializer;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.salvo.core.protocol.v1.MessagingServiceClient;
import io.salvo.core.protocol.v1.PublishRequest;
import io.salvo.core.protocol.v1.PublishRequests;
import io.salvo.core.protocol.v1.PublishResponse;
import io.salvo.core.protocol.v1.PublishResponses;
import io.salvo.core.protocol.v1.SendMessageRequest;
import io.salvo.core.protocol.v1.SendMessageResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One long-lived {@code Publish} stream to one broker. Sends go in as they come, each with an id; responses are
 * matched to their sends by that id, in whatever order they come. This avoids the cost of one gRPC call (and one
 * materialized stream) per send. Sends that wait while the stream is busy leave together in one frame (at most
 * {@value #MAX_FRAME_BYTES} bytes of them, or one larger send alone), so a busy producer pays the gRPC and HTTP/2
 * cost per frame rather than per send. When the stream ends or fails, every send in flight on it fails with
 * {@link StreamClosedException} (retriable: the message ids stay the same) and the stream is not used again.
 * Thread safe.
 */
public final class PublishStream {
  /** The Publish stream ended or failed while a send was in flight, or before it was offered. */
  static final class StreamClosedException extends RuntimeException {
    StreamClosedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Bytes of requests one frame takes at most (a request larger than this goes alone). */
  static final int MAX_FRAME_BYTES = 1 << 20;

  private final String broker;
  private final BoundedSourceQueue<PublishRequest> queue;
  private final ConcurrentHashMap<Long, CompletableFuture<SendMessageResponse>> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile Throwable closedBy;

  private PublishStream(String broker, BoundedSourceQueue<PublishRequest> queue) {
    this.broker = broker;
    this.queue = queue;
  }

  /** Opens the stream on {@code client}; at most {@code buffer} sends wait to enter it. */
  static PublishStream open(String broker, MessagingServiceClient client, ClassicActorSystemProvider system, int buffer) {
    Materializer materializer = Materializer.matFromSystem(system);
    Pair<BoundedSourceQueue<PublishRequest>, Source<PublishRequest, NotUsed>> requests =
        Source.<PublishRequest>queue(buffer).preMaterialize(materializer);
    PublishStream stream = new PublishStream(broker, requests.first());
    Source<PublishRequests, NotUsed> frames = requests.second()
        .batchWeighted(MAX_FRAME_BYTES, request -> (long) request.getSerializedSize(),
            first -> PublishRequests.newBuilder().addRequests(first), PublishRequests.Builder::addRequests)
        .map(PublishRequests.Builder::build);
    client.publish(frames)
        .runWith(Sink.foreach(stream::onResponses), materializer)
        .whenComplete((done, failure) -> stream.close(failure != null ? failure
            : new IllegalStateException("the broker ended the Publish stream")));
    return stream;
  }

  /** Sends {@code request}; the future completes with the broker's response or a failure of the stream. */
  CompletableFuture<SendMessageResponse> send(SendMessageRequest request) {
    CompletableFuture<SendMessageResponse> result = new CompletableFuture<>();
    Throwable closed = closedBy;
    if (closed != null) {
      result.completeExceptionally(closedException(closed));
      return result;
    }
    long id = ids.incrementAndGet();
    inFlight.put(id, result);
    result.whenComplete((response, failure) -> inFlight.remove(id));
    QueueOfferResult offered = queue.offer(PublishRequest.newBuilder().setRequestId(id).setSend(request).build());
    if (offered != QueueOfferResult.enqueued()) {
      result.completeExceptionally(new StreamClosedException(
          "Publish stream to " + broker + " did not take the send (" + offered + ")", null));
    } else if (closedBy != null) {
      result.completeExceptionally(closedException(closedBy));
    }
    return result;
  }

  boolean isOpen() {
    return closedBy == null;
  }

  /**
   * Ends the stream; sends in flight fail. Idempotent: the queue is already completed when the broker went away (its
   * complete() would throw, and from a producer's stop that failed the client's whole actor system).
   */
  void complete() {
    try {
      queue.complete();
    } catch (IllegalStateException alreadyCompleted) {
      // ended before: nothing to do
    }
  }

  private void onResponses(PublishResponses frame) {
    for (PublishResponse response : frame.getResponsesList()) {
      CompletableFuture<SendMessageResponse> waiting = inFlight.get(response.getRequestId());
      if (waiting != null) {
        waiting.complete(response.getResult());
      }
    }
  }

  private void close(Throwable cause) {
    closedBy = cause;
    for (CompletableFuture<SendMessageResponse> waiting : inFlight.values()) {
      waiting.completeExceptionally(closedException(cause));
    }
  }

  private StreamClosedException closedException(Throwable cause) {
    return new StreamClosedException("Publish stream to " + broker + " closed: " + Errors.describe(cause), cause);
  }
}
