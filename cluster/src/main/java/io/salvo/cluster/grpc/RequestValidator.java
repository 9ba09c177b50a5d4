package io.salvo.cluster.grpc;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.MessageId;
import io.salvo.core.protocol.v1.Message;
import io.salvo.core.protocol.v1.SendMessageRequest;
import io.salvo.core.validation.Validation;

/** Checks of requests that need no state; each failure names the field and the value. */
final class RequestValidator {
  private final int maxMessageBytes;
  private final int maxBatchMessages;

  RequestValidator(int maxMessageBytes, int maxBatchMessages) {
    this.maxMessageBytes = maxMessageBytes;
    this.maxBatchMessages = maxBatchMessages;
  }

  void checkSend(SendMessageRequest request) {
    Validation.checkTopic(request.getTopic());
    if (request.getMessagesCount() == 0) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "SendMessageRequest for topic '" + request.getTopic() + "' has no messages");
    }
    if (request.getMessagesCount() > maxBatchMessages) {
      throw SalvoException.of(ErrorCode.BATCH_TOO_LARGE, request.getMessagesCount(), maxBatchMessages);
    }
    checkQueueIndex(request.getQueueId());
    for (int i = 0; i < request.getMessagesCount(); i++) {
      Message m = request.getMessages(i);
      if (!m.getTopic().isEmpty() && !m.getTopic().equals(request.getTopic())) {
        throw SalvoException.of(ErrorCode.BAD_REQUEST, "message " + i + " is for topic '" + m.getTopic()
            + "' but the request is for '" + request.getTopic() + "'; a batch goes to one topic");
      }
      if (!MessageId.isWellFormed(m.getMessageId())) {
        throw SalvoException.of(ErrorCode.BAD_REQUEST, "message " + i + " has message_id '" + m.getMessageId()
            + "'; expected 32 upper-case hex characters made by the producer");
      }
      Validation.checkBody(m.getBody().size(), maxMessageBytes);
      Validation.checkTag(m.getTags());
      Validation.checkKeys(m.getKeysList());
      Validation.checkProperties(m.getPropertiesMap());
    }
  }

  static void checkQueueIndex(int queueId) {
    if (queueId < 0) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "queue_id " + queueId + " is negative");
    }
  }

  static void checkQueueExists(String topic, int queueId, int queueCount) {
    if (queueId >= queueCount) {
      throw SalvoException.of(ErrorCode.INVALID_QUEUE, queueId, topic, queueCount);
    }
  }

  static void checkClientId(String clientId) {
    if (clientId == null || clientId.isBlank() || clientId.length() > 255) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "client_id '" + clientId + "' must be 1..255 characters");
    }
  }
}
