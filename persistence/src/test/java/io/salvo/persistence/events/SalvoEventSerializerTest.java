package io.salvo.persistence.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import io.salvo.persistence.events.GroupEvent.MemberJoined;
import io.salvo.persistence.events.GroupEvent.MemberLeft;
import io.salvo.persistence.events.GroupEvent.OffsetCommitted;
import io.salvo.persistence.events.GroupEvent.QueueGranted;
import io.salvo.persistence.events.GroupEvent.QueueReleased;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import io.salvo.persistence.events.TopicEvent.TopicCreated;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SalvoEventSerializerTest {

  private final SalvoEventSerializer serializer = new SalvoEventSerializer();

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static MessageAppended message(String id, String tags, List<String> keys, Map<String, String> props,
      byte[] body) {
    return new MessageAppended(id, tags, keys, props, body, 1_700_000_000_123L, "10.0.0.7:4711",
        1_700_000_000_456L, 3);
  }

  static Stream<Arguments> events() {
    Map<String, String> manyProps = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      manyProps.put("key-" + i, "value-" + i);
    }
    return Stream.of(
        Arguments.of("typical 1 KiB message", message("0A0B0C0D0E0F", "TagA", List.of("order-17"),
            Map.of("UNIQ_KEY", "abc", "TRACE_ON", "true"), randomBytes(1024)), "MA1"),
        Arguments.of("empty body, no keys, no properties",
            message("id-empty", "", List.of(), Map.of(), new byte[0]), "MA1"),
        Arguments.of("null tags, null born host",
            new MessageAppended("id-null", null, List.of(), Map.of(), new byte[] {1, 2, 3}, 0L, null, 0L, 0), "MA1"),
        Arguments.of("null body", message("id-null-body", "t", List.of(), Map.of(), null), "MA1"),
        Arguments.of("unicode everywhere", message("ïd-ünïcödé-日本", "タグ||🚀",
            List.of("ключ", "😀 emoji key", ""), Map.of("名前", "値 ✓", "e", "🎉🎉"),
            "héllo wörld 🌍".getBytes(StandardCharsets.UTF_8)), "MA1"),
        Arguments.of("4 MiB body", message("id-big", "big", List.of("k"), Map.of(), randomBytes(4 * 1024 * 1024)),
            "MA1"),
        Arguments.of("many properties and keys", message("id-many", "a||b", List.of("k1", "k2", "k3", "k4"),
            manyProps, randomBytes(100)), "MA1"),
        Arguments.of("negative and extreme numbers", new MessageAppended("id-x", "t", List.of(), Map.of(),
            new byte[0], Long.MIN_VALUE, "h", Long.MAX_VALUE, Integer.MIN_VALUE), "MA1"),
        Arguments.of("topic created", new TopicCreated(8, true, 1_700_000_000_000L), "TC1"),
        Arguments.of("topic created, manual, zero time", new TopicCreated(Integer.MAX_VALUE, false, 0L), "TC1"),
        Arguments.of("member joined", new MemberJoined("client-1@host", 42L, 1_700_000_000_000L), "GJ1"),
        Arguments.of("member joined, null client id", new MemberJoined(null, 0L, -1L), "GJ1"),
        Arguments.of("member left", new MemberLeft("客户端-2", Long.MAX_VALUE, 5L), "GL1"),
        Arguments.of("offset committed", new OffsetCommitted("orders", 3, 123_456_789_012L, 99L), "GO1"),
        Arguments.of("offset committed, empty topic", new OffsetCommitted("", 0, 0L, 0L), "GO1"),
        Arguments.of("offset reset, held", new GroupEvent.OffsetReset("orders", 7, 42L, "host@1#c", 99L), "GX1"),
        Arguments.of("offset reset, not held", new GroupEvent.OffsetReset("orders", 0, 0L, "", 1L), "GX1"),
        Arguments.of("retention set", new TopicEvent.RetentionSet(60_000L, 5L), "TT1"),
        Arguments.of("retention back to default", new TopicEvent.RetentionSet(0L, 5L), "TT1"),
        Arguments.of("queue count set", new TopicEvent.QueueCountSet(16, 1_700_000_000_000L), "TQ1"),
        Arguments.of("queue count set, largest", new TopicEvent.QueueCountSet(Integer.MAX_VALUE, 0L), "TQ1"),
        Arguments.of("topic deleted", new TopicEvent.TopicDeleted(8, 1_700_000_000_000L), "TZ1"),
        Arguments.of("queue granted", new QueueGranted("orders", 7, "10.0.0.1@42@DEFAULT@1", 1_700_000_000_000L),
            "GG1"),
        Arguments.of("queue released", new QueueReleased("注文", Integer.MAX_VALUE, "c", 0L), "GR1"),
        Arguments.of("message scheduled", new TimerEvent.MessageScheduled("orders", 3, 1_700_000_060_000L,
            message("0A0B0C0D0E0F", "TagA", List.of("k"), Map.of("DELAY", "4"), randomBytes(512))), "TS1"),
        Arguments.of("message scheduled, null tags", new TimerEvent.MessageScheduled("t", 0, 0L,
            new MessageAppended("id", null, List.of(), Map.of(), new byte[] {9}, 0L, null, 0L, 0)), "TS1"),
        Arguments.of("bucket fired", new TimerEvent.BucketFired(1_700_000_000_000L), "TF1"),
        Arguments.of("bucket delivered", new TimerEvent.BucketDelivered(Long.MAX_VALUE, 7L), "TD1"),
        Arguments.of("bucket registered", new TimerEvent.BucketRegistered(1_700_000_000L, 3), "TR1"),
        Arguments.of("index sealed", new TimerEvent.IndexSealed(1_700_000_000L), "TX1"),
        Arguments.of("wheel advanced", new TimerEvent.WheelAdvanced(-1L), "TW1"),
        Arguments.of("transaction prepared", new TransactionEvent.TransactionPrepared("OrderProducers", "orders", 3,
            message("0A0B0C0D0E0F00112233445566778899", "TagA", List.of("order-17"), Map.of("k", "v"),
                randomBytes(300)), 1_700_000_000_000L), "XP1"),
        Arguments.of("transaction prepared, null tags, empty body", new TransactionEvent.TransactionPrepared("g", "t",
            0, message("id", null, List.of(), Map.of(), new byte[0]), 0L), "XP1"),
        Arguments.of("check requested", new TransactionEvent.CheckRequested(15, 1_700_000_006_000L), "XC1"),
        Arguments.of("commit decided", new TransactionEvent.CommitDecided(false), "XD1"),
        Arguments.of("commit decided by a check", new TransactionEvent.CommitDecided(true), "XD1"),
        Arguments.of("commit delivered", new TransactionEvent.CommitDelivered(123_456_789L), "XO1"),
        Arguments.of("rolled back", new TransactionEvent.RolledBack(true), "XR1"),
        Arguments.of("discarded", new TransactionEvent.Discarded(Integer.MAX_VALUE), "XX1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("events")
  void roundTripsEveryEventType(String description, SalvoEvent event, String manifest) throws Exception {
    assertEquals(manifest, serializer.manifest(event));
    byte[] bytes = serializer.toBinary(event);
    assertEquals(SalvoEventSerializer.MAGIC, bytes[0]);
    assertEquals(SalvoEventSerializer.VERSION, bytes[1]);
    Object back = serializer.fromBinary(bytes, manifest);
    assertEquals(event, back);
    if (event instanceof MessageAppended m) {
      assertArrayEquals(m.body(), ((MessageAppended) back).body());
    }
  }

  @Test
  void messageAppendedIsCompact() {
    MessageAppended m = message("0A0B0C0D0E0F", "TagA", List.of("order-17"), Map.of(), new byte[1024]);
    int overhead = serializer.toBinary(m).length - 1024;
    assertTrue(overhead < 64, "overhead beyond the body: " + overhead + " bytes");
  }

  @Test
  void nullTagsStayNull() throws Exception {
    MessageAppended m = message("id", null, List.of(), Map.of(), new byte[0]);
    MessageAppended back = (MessageAppended) serializer.fromBinary(serializer.toBinary(m), "MA1");
    assertNull(back.tags());
  }

  static Stream<Arguments> truncations() {
    return events().map(a -> Arguments.of(a.get()[0], a.get()[1], a.get()[2]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("truncations")
  void rejectsEveryTruncationWithAClearMessage(String description, SalvoEvent event, String manifest) {
    byte[] bytes = serializer.toBinary(event);
    // Every prefix (sampled for the large ones) must fail with a message naming the manifest.
    int step = Math.max(1, bytes.length / 200);
    for (int len = 0; len < bytes.length; len += step) {
      byte[] prefix = Arrays.copyOf(bytes, len);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> serializer.fromBinary(prefix, manifest), "prefix of " + len + " bytes");
      assertTrue(e.getMessage().startsWith("corrupt " + manifest + " payload"), e.getMessage());
    }
  }

  @Test
  void rejectsWrongMagic() {
    byte[] bytes = serializer.toBinary(new TopicCreated(1, false, 2L));
    bytes[0] = '{';
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> serializer.fromBinary(bytes, "TC1"));
    assertEquals("corrupt TC1 payload: magic byte 0x7B, expected 0xA7 (not written by SalvoEventSerializer)",
        e.getMessage());
  }

  @Test
  void rejectsEmptyPayload() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> serializer.fromBinary(new byte[0], "MA1"));
    assertTrue(e.getMessage().contains("shorter than the 2-byte header"), e.getMessage());
  }

  @Test
  void rejectsUnknownMajorVersion() {
    byte[] bytes = serializer.toBinary(new TopicCreated(1, false, 2L));
    bytes[1] = 0x20;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> serializer.fromBinary(bytes, "TC1"));
    assertTrue(e.getMessage().contains("format version 2.0"), e.getMessage());
  }

  @Test
  void rejectsTrailingBytesOfTheCurrentVersion() {
    byte[] bytes = Arrays.copyOf(serializer.toBinary(new OffsetCommitted("t", 1, 2L, 3L)), 20);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> serializer.fromBinary(bytes, "GO1"));
    assertTrue(e.getMessage().contains("trailing bytes"), e.getMessage());
  }

  @Test
  void readsANewerMinorVersionWithAppendedFields() throws Exception {
    MessageAppended m = message("id", "t", List.of("k"), Map.of("p", "v"), randomBytes(10));
    byte[] current = serializer.toBinary(m);
    byte[] newer = Arrays.copyOf(current, current.length + 3);
    newer[1] = (byte) ((SalvoEventSerializer.FORMAT_MAJOR << 4) | (SalvoEventSerializer.FORMAT_MINOR + 1));
    newer[current.length] = 0x05; // a future varint field
    newer[current.length + 1] = 0x01; // and a future string "" ...
    newer[current.length + 2] = 0x00; // ... and a null one
    assertEquals(m, serializer.fromBinary(newer, "MA1"));
  }

  @Test
  void rejectsUnknownManifest() {
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(serializer.toBinary(new TopicCreated(1, true, 1L)), "XX9"));
    assertTrue(e.getMessage().contains("unknown manifest 'XX9'"), e.getMessage());
  }

  @Test
  void rejectsUnknownTypes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> serializer.toBinary("text"));
    assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
  }

  @Test
  void isBoundToEverySalvoEventByReferenceConf() throws Exception {
    ActorSystem system = ActorSystem.create("serializer-binding");
    try {
      Serialization serialization = SerializationExtension.get(system);
      SalvoEvent event = new OffsetCommitted("orders", 1, 10L, 20L);
      Serializer found = serialization.findSerializerFor(event);
      assertInstanceOf(SalvoEventSerializer.class, found);
      assertEquals(SalvoEventSerializer.IDENTIFIER, found.identifier());
      byte[] bytes = serialization.serialize(event).get();
      assertEquals(event, serialization.deserialize(bytes, SalvoEventSerializer.IDENTIFIER, "GO1").get());
    } finally {
      system.terminate();
    }
  }
}
