package io.salvo.client.javadsl;

import akka.Done;
import akka.stream.javadsl.Sink;
import java.util.concurrent.CompletionStage;

/** Sinks of the Akka Streams API that are not about producing ({@link SalvoProducer} has those). */
public final class SalvoSink {
  private SalvoSink() {}

  /**
   * Commits every offset it receives ({@link CommittableOffset#commit()}); completes when the stream completes,
   * fails when it fails. When the committed offsets reach the broker: see {@link CommittableOffset}. There is nothing
   * to batch or tune here: a commit is an in-memory mark, and the consumer batches the broker commits itself (one
   * per queue per {@code salvo.client.consumer.commit-interval}).
   */
  public static Sink<CommittableOffset, CompletionStage<Done>> committer() {
    return Sink.foreach(CommittableOffset::commit);
  }
}
