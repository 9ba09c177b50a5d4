package io.salvo.tests.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.google.protobuf.ByteString;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.message.Message;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.client.producer.SendStatus;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.model.MessageId;
import io.salvo.core.protocol.v1.CommitOffsetRequest;
import io.salvo.core.protocol.v1.CommitOffsetResponse;
import io.salvo.core.protocol.v1.FilterExpression;
import io.salvo.core.protocol.v1.HeartbeatRequest;
import io.salvo.core.protocol.v1.HeartbeatResponse;
import io.salvo.core.protocol.v1.ReceiveMessagesRequest;
import io.salvo.core.protocol.v1.ReceiveMessagesResponse;
import io.salvo.core.protocol.v1.Subscription;
import io.salvo.core.protocol.v1.SendMessageRequest;
import io.salvo.core.protocol.v1.SendMessageResponse;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.RawClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad input gets a specific error, and the broker keeps serving what it accepted. */
@ExtendWith(CassandraFixture.class)
class BadInputTest {
  private static BrokerProcess broker;
  private static BrokerProcess strictBroker;
  private static DefaultMQProducer producer;

  @BeforeAll
  static void start(CassandraFixture.Cassandra cassandra) throws Exception {
    broker = BrokerProcess.on(cassandra, "bad-input", Map.of()).start();
    strictBroker = BrokerProcess.on(cassandra, "bad-input-strict", Map.of("salvo.broker.topics.auto-create", "false")).start();
    producer = broker.startProducer("BadInputProducers");
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.shutdown();
    }
    if (broker != null) {
      broker.stop();
    }
    if (strictBroker != null) {
      strictBroker.stop();
    }
  }

  @Test
  void rejectsOversizedBodyNamingSizeAndLimit() throws Exception {
    byte[] body = new byte[4 * 1024 * 1024 + 1];
    MQClientException e = assertThrows(MQClientException.class, () -> producer.send(new Message("BadInput", "A", body)));
    assertEquals(ErrorCode.MESSAGE_TOO_LARGE, e.errorCode());
    assertTrue(e.getMessage().contains("4194305") && e.getMessage().contains("4194304"), e.getMessage());

    // The broker checks too, for clients that do not.
    try (RawClient raw = new RawClient(broker.grpcPort())) {
      SendMessageResponse r = RawClient.await(raw.client().sendMessage(request("BadInput", 0,
          io.salvo.core.protocol.v1.Message.newBuilder().setMessageId(MessageId.next()).setBody(ByteString.copyFrom(body)).build())));
      assertEquals(ErrorCode.MESSAGE_TOO_LARGE.number(), r.getStatus().getCode(), r.getStatus().getMessage());
      assertTrue(r.getStatus().getMessage().contains("4194305"), r.getStatus().getMessage());
    }
    assertAcceptsValidSend();
  }

  @Test
  void rejectsInvalidTopicName() throws Exception {
    MQClientException e = assertThrows(MQClientException.class,
        () -> producer.send(new Message("bad topic!", "A", "x".getBytes(StandardCharsets.UTF_8))));
    assertEquals(ErrorCode.INVALID_TOPIC, e.errorCode());
    assertTrue(e.getMessage().contains("bad topic!"), e.getMessage());

    try (RawClient raw = new RawClient(broker.grpcPort())) {
      SendMessageResponse r = RawClient.await(raw.client().sendMessage(request("bad topic!", 0, valid())));
      assertEquals(ErrorCode.INVALID_TOPIC.number(), r.getStatus().getCode(), r.getStatus().getMessage());
      assertTrue(r.getStatus().getMessage().contains("position 3"), r.getStatus().getMessage());
    }
  }

  @Test
  void groupRequestsOutsideWhatExistsGetSpecificErrors() throws Exception {
    SendResult stored = producer.send(new Message("GroupBadInput", "A", "x".getBytes(StandardCharsets.UTF_8)));
    int queue = stored.getMessageQueue().getQueueId();
    try (RawClient raw = new RawClient(broker.grpcPort())) {
      CommitOffsetResponse beyond = RawClient.await(raw.client().commitOffset(CommitOffsetRequest.newBuilder()
          .setGroup("G").setClientId("c1").setTopic("GroupBadInput").setQueueId(queue).setOffset(1_000_000).build()));
      assertEquals(ErrorCode.INVALID_OFFSET.number(), beyond.getStatus().getCode(), beyond.getStatus().getMessage());
      assertTrue(beyond.getStatus().getMessage().contains("beyond the end of queue GroupBadInput#" + queue
          + ", whose next offset is 1"), beyond.getStatus().getMessage());

      CommitOffsetResponse notHolder = RawClient.await(raw.client().commitOffset(CommitOffsetRequest.newBuilder()
          .setGroup("G").setClientId("c1").setTopic("GroupBadInput").setQueueId(queue).setOffset(1).build()));
      assertEquals(ErrorCode.FENCED.number(), notHolder.getStatus().getCode(), notHolder.getStatus().getMessage());
      assertTrue(notHolder.getStatus().getMessage().contains("does not hold queue GroupBadInput#" + queue),
          notHolder.getStatus().getMessage());

      CommitOffsetResponse missingTopic = RawClient.await(raw.client().commitOffset(CommitOffsetRequest.newBuilder()
          .setGroup("G").setClientId("c1").setTopic("NeverCreated").setQueueId(0).setOffset(0).build()));
      assertEquals(ErrorCode.TOPIC_NOT_FOUND.number(), missingTopic.getStatus().getCode(),
          missingTopic.getStatus().getMessage());
    }
    try (RawClient strictRaw = new RawClient(strictBroker.grpcPort())) {
      HeartbeatResponse missing = RawClient.await(strictRaw.client().heartbeat(HeartbeatRequest.newBuilder()
          .setGroup("G").setClientId("c1")
          .addSubscriptions(Subscription.newBuilder().setTopic("NotThere")
              .setFilter(FilterExpression.newBuilder().setType(FilterExpression.Type.TAG).setExpression("*")))
          .build()));
      assertEquals(0, missing.getStatus().getCode(), missing.getStatus().getMessage());
      assertEquals(List.of("NotThere"), missing.getMissingTopicsList());
      assertEquals(0, missing.getAssignmentsCount());
    }
    // The rejected commits changed nothing: group G has no members and no offsets, so it does not exist.
    java.net.http.HttpResponse<String> untouched = AdminHttp.get(broker.managementUrl() + "/groups/G");
    assertEquals(404, untouched.statusCode(), untouched.body());
    java.net.http.HttpResponse<String> unknown = AdminHttp.get(broker.managementUrl() + "/groups/NoSuchGroup");
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertTrue(unknown.body().contains("GROUP_NOT_FOUND") && unknown.body().contains("NoSuchGroup"), unknown.body());
  }

  @Test
  void rejectsMalformedFilterExpressionsNamingWhereTheyFail() throws Exception {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("FilterBadInput");
    MQClientException atSubscribe = assertThrows(MQClientException.class,
        () -> consumer.subscribe("BadInput", "TagA || "));
    assertEquals(ErrorCode.INVALID_FILTER, atSubscribe.errorCode());
    assertTrue(atSubscribe.getMessage().contains("'TagA || '") && atSubscribe.getMessage().contains("position 7"),
        atSubscribe.getMessage());

    FilterExpression bad = FilterExpression.newBuilder().setType(FilterExpression.Type.TAG)
        .setExpression("TagA || Tag B").build();
    try (RawClient raw = new RawClient(broker.grpcPort())) {
      HeartbeatResponse heartbeat = RawClient.await(raw.client().heartbeat(HeartbeatRequest.newBuilder()
          .setGroup("FilterBadInput").setClientId("c1")
          .addSubscriptions(Subscription.newBuilder().setTopic("BadInput").setFilter(bad))
          .build()));
      assertEquals(ErrorCode.INVALID_FILTER.number(), heartbeat.getStatus().getCode(), heartbeat.getStatus().getMessage());
      assertTrue(heartbeat.getStatus().getMessage().contains("whitespace inside a tag at position 11"),
          heartbeat.getStatus().getMessage());

      List<ReceiveMessagesResponse> received = RawClient.await(raw.client().receiveMessages(
              ReceiveMessagesRequest.newBuilder().setGroup("FilterBadInput").setClientId("c1").setTopic("BadInput")
                  .setQueueId(0).setOffset(0).setFilter(bad).build())
          .runWith(Sink.seq(), raw.system()));
      assertEquals(1, received.size(), received.toString());
      assertEquals(ErrorCode.INVALID_FILTER.number(), received.get(0).getStatus().getCode(),
          received.get(0).getStatus().getMessage());
    }
    // The refused heartbeat did not join the group.
    java.net.http.HttpResponse<String> group = AdminHttp.get(broker.managementUrl() + "/groups/FilterBadInput");
    assertEquals(404, group.statusCode(), group.body());
  }

  @Test
  void rejectsUnknownTopicWhenAutoCreateIsOff() throws Exception {
    DefaultMQProducer strict = new DefaultMQProducer("StrictProducers");
    strict.setNamesrvAddr(strictBroker.address());
    strict.setSendMsgTimeout(15_000); // the answer is checked, not its speed (a cold broker on a busy machine)
    strict.start();
    try {
      Exception e = assertThrows(Exception.class,
          () -> strict.send(new Message("NoSuchTopic", "A", "x".getBytes(StandardCharsets.UTF_8))));
      ErrorCode code = e instanceof SalvoClientException c ? c.errorCode() : null;
      assertEquals(ErrorCode.TOPIC_NOT_FOUND, code, String.valueOf(e));
      assertTrue(e.getMessage().contains("NoSuchTopic"), e.getMessage());
    } finally {
      strict.shutdown();
    }
  }

  @Test
  void rejectsMalformedRequestsAndKeepsServing() throws Exception {
    try (RawClient raw = new RawClient(broker.grpcPort())) {
      SendMessageResponse noMessages = RawClient.await(raw.client().sendMessage(
          SendMessageRequest.newBuilder().setTopic("BadInput").build()));
      assertEquals(ErrorCode.BAD_REQUEST.number(), noMessages.getStatus().getCode());
      assertTrue(noMessages.getStatus().getMessage().contains("no messages"), noMessages.getStatus().getMessage());

      SendMessageResponse badId = RawClient.await(raw.client().sendMessage(request("BadInput", 0,
          io.salvo.core.protocol.v1.Message.newBuilder().setMessageId("xyz").setBody(ByteString.copyFromUtf8("x")).build())));
      assertEquals(ErrorCode.BAD_REQUEST.number(), badId.getStatus().getCode());
      assertTrue(badId.getStatus().getMessage().contains("'xyz'"), badId.getStatus().getMessage());

      SendMessageResponse badQueue = RawClient.await(raw.client().sendMessage(request("BadInput", 99, valid())));
      assertEquals(ErrorCode.INVALID_QUEUE.number(), badQueue.getStatus().getCode(), badQueue.getStatus().getMessage());

      SendMessageResponse negativeQueue = RawClient.await(raw.client().sendMessage(request("BadInput", -1, valid())));
      assertEquals(ErrorCode.BAD_REQUEST.number(), negativeQueue.getStatus().getCode(), negativeQueue.getStatus().getMessage());

      // Bytes that are not a protobuf message at all, in a well-formed gRPC frame over HTTP/2.
      byte[] frame = {0, 0, 0, 0, 6, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
      HttpRequest garbage = HttpRequest.POST("/salvo.v1.MessagingService/SendMessage")
          .withEntity(ContentTypes.create(MediaTypes.applicationBinary("grpc", false)), frame);
      HttpResponse response = RawClient.await(Source.single(garbage)
          .via(Http.get(raw.system()).connectionTo("127.0.0.1").toPort(broker.grpcPort()).http2WithPriorKnowledge())
          .runWith(Sink.head(), raw.system()));
      String grpcStatus = grpcStatusOf(response, raw);
      System.out.println("garbage request answered with grpc-status " + grpcStatus);
      assertNotEquals("0", grpcStatus, "garbage must not be answered OK");
      assertNotEquals("missing", grpcStatus, "the answer must carry a grpc-status: " + response);
    }
    assertAcceptsValidSend();
  }

  /** gRPC puts the status in a header (trailers-only answer) or in the trailers after the body. */
  private static String grpcStatusOf(HttpResponse response, RawClient raw) {
    java.util.Optional<String> header = response.getHeader("grpc-status").map(h -> h.value());
    if (header.isPresent()) {
      return header.get();
    }
    if (response.entity() instanceof akka.http.javadsl.model.HttpEntity.Chunked chunked) {
      java.util.List<akka.http.javadsl.model.HttpEntity.ChunkStreamPart> parts =
          RawClient.await(chunked.getChunks().runWith(Sink.seq(), raw.system()));
      for (akka.http.javadsl.model.HttpEntity.ChunkStreamPart part : parts) {
        if (part.isLastChunk()) {
          for (akka.http.javadsl.model.HttpHeader h : part.getTrailerHeaders()) {
            if (h.name().equalsIgnoreCase("grpc-status")) {
              return h.value();
            }
          }
        }
      }
    }
    return "missing";
  }

  private static void assertAcceptsValidSend() throws Exception {
    SendResult ok = producer.send(new Message("BadInput", "A", "still fine".getBytes(StandardCharsets.UTF_8)));
    assertEquals(SendStatus.SEND_OK, ok.getSendStatus());
  }

  private static io.salvo.core.protocol.v1.Message valid() {
    return io.salvo.core.protocol.v1.Message.newBuilder()
        .setMessageId(MessageId.next())
        .setBody(ByteString.copyFromUtf8("valid"))
        .build();
  }

  private static SendMessageRequest request(String topic, int queue, io.salvo.core.protocol.v1.Message m) {
    return SendMessageRequest.newBuilder().setTopic(topic).setQueueId(queue).addMessages(m).build();
  }
}
