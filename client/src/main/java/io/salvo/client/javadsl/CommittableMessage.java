package io.salvo.client.javadsl;

import io.salvo.client.message.MessageExt;

/**
 * A message from a {@link SalvoSource#committable committable source} and the offset to commit once it is processed.
 * The message is the consumer's own copy: the stream may read it freely, but it is not thread safe (see
 * {@link MessageExt}). Immutable reference holder.
 */
public final class CommittableMessage {
  private final MessageExt message;
  private final CommittableOffset committableOffset;

  CommittableMessage(MessageExt message, CommittableOffset committableOffset) {
    this.message = message;
    this.committableOffset = committableOffset;
  }

  public MessageExt message() {
    return message;
  }

  /** What to pass to {@link SalvoSink#committer()} (or {@link CommittableOffset#commit()}) when done with it. */
  public CommittableOffset committableOffset() {
    return committableOffset;
  }

  @Override
  public String toString() {
    return "CommittableMessage(" + message.getMsgId() + ", " + committableOffset + ")";
  }
}
