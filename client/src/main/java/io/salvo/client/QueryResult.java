package io.salvo.client;

import io.salvo.client.message.MessageExt;
import java.util.List;

/** The messages a query by key found (RocketMQ's QueryResult). */
public final class QueryResult {
  private final long indexLastUpdateTimestamp;
  private final List<MessageExt> messageList;

  public QueryResult(long indexLastUpdateTimestamp, List<MessageExt> messageList) {
    this.indexLastUpdateTimestamp = indexLastUpdateTimestamp;
    this.messageList = List.copyOf(messageList);
  }

  /** When the answer was made (Salvo's index is written with each message, so it is always current). */
  public long getIndexLastUpdateTimestamp() {
    return indexLastUpdateTimestamp;
  }

  public List<MessageExt> getMessageList() {
    return messageList;
  }

  @Override
  public String toString() {
    return "QueryResult [indexLastUpdateTimestamp=" + indexLastUpdateTimestamp + ", messageList=" + messageList + "]";
  }
}
