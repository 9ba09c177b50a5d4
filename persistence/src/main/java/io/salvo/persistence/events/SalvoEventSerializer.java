package io.salvo.persistence.events;

import akka.actor.ExtendedActorSystem;
import akka.serialization.SerializerWithStringManifest;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Compact, versioned binary format of every {@link SalvoEvent} (bound to {@code SalvoEvent} in this module's
 * {@code reference.conf}; identifier {@value #IDENTIFIER}).
 *
 * <p>Layout of every payload: a magic byte {@code 0xA7}, a format version byte (high nibble major, low nibble
 * minor; now 1.0), then the event's fields in declaration order:
 * <ul>
 *   <li>strings: unsigned varint of (UTF-8 length + 1), then the UTF-8 bytes; 0 means null;
 *   <li>byte arrays: the same, with raw bytes;
 *   <li>{@code int}/{@code long}: zig-zag varints (1 byte for small values, 10 at most);
 *   <li>{@code boolean}: one byte, 0 or 1;
 *   <li>lists and maps: unsigned varint count, then the elements (maps: key, value).
 * </ul>
 * The manifest names the event type and its layout ({@code MA1}, {@code TC1}, {@code GJ1}, {@code GL1},
 * {@code GO1}, {@code GG1}, {@code GR1}; the timer's {@code TS1}, {@code TF1}, {@code TD1}, {@code TR1}, {@code TX1},
 * {@code TW1}; transactions' {@code XP1}, {@code XC1}, {@code XD1}, {@code XO1}, {@code XR1}, {@code XX1}; a topic's
 * {@code TT1} retention, {@code TQ1} queue count, {@code TZ1} deletion). Schema evolution: a new field is appended at the end and the minor version raised; readers of
 * an older minor version ignore the fields they do not know (trailing bytes), and readers of a newer version
 * default the fields an older payload lacks. An incompatible change gets a new manifest ({@code MA2}) and the
 * old reader stays.
 *
 * <p>Thread-safe and allocation-light: {@code toBinary} sizes the payload first and writes into one exactly
 * sized array (the message body is copied once); {@code fromBinary} copies only the body.
 */
public final class SalvoEventSerializer extends SerializerWithStringManifest {

  /** Akka serializer identifier; stored with every journal row, never change it. */
  public static final int IDENTIFIER = 8001;

  static final byte MAGIC = (byte) 0xA7;
  static final int FORMAT_MAJOR = 1;
  static final int FORMAT_MINOR = 0;
  static final byte VERSION = (byte) ((FORMAT_MAJOR << 4) | FORMAT_MINOR);
  static final int HEADER = 2;

  public static final String MESSAGE_APPENDED = "MA1";
  public static final String TOPIC_CREATED = "TC1";
  public static final String MEMBER_JOINED = "GJ1";
  public static final String MEMBER_LEFT = "GL1";
  public static final String OFFSET_COMMITTED = "GO1";
  public static final String QUEUE_GRANTED = "GG1";
  public static final String QUEUE_RELEASED = "GR1";
  public static final String MESSAGE_SCHEDULED = "TS1";
  public static final String BUCKET_FIRED = "TF1";
  public static final String BUCKET_DELIVERED = "TD1";
  public static final String BUCKET_REGISTERED = "TR1";
  public static final String INDEX_SEALED = "TX1";
  public static final String WHEEL_ADVANCED = "TW1";
  public static final String RETENTION_SET = "TT1";
  public static final String OFFSET_RESET = "GX1";
  public static final String TRANSACTION_PREPARED = "XP1";
  public static final String CHECK_REQUESTED = "XC1";
  public static final String COMMIT_DECIDED = "XD1";
  public static final String COMMIT_DELIVERED = "XO1";
  public static final String ROLLED_BACK = "XR1";
  public static final String DISCARDED = "XX1";
  public static final String QUEUE_COUNT_SET = "TQ1";
  public static final String TOPIC_DELETED = "TZ1";

  private static final List<String> MANIFESTS = List.of(MESSAGE_APPENDED, TOPIC_CREATED, MEMBER_JOINED, MEMBER_LEFT,
      OFFSET_COMMITTED, QUEUE_GRANTED, QUEUE_RELEASED, MESSAGE_SCHEDULED, BUCKET_FIRED, BUCKET_DELIVERED,
      BUCKET_REGISTERED, INDEX_SEALED, WHEEL_ADVANCED, RETENTION_SET, OFFSET_RESET, TRANSACTION_PREPARED,
      CHECK_REQUESTED, COMMIT_DECIDED, COMMIT_DELIVERED, ROLLED_BACK, DISCARDED, QUEUE_COUNT_SET, TOPIC_DELETED);

  /** Used by Akka's serialization extension. */
  public SalvoEventSerializer(ExtendedActorSystem system) {
    this();
  }

  /** For tests and tools outside an actor system. */
  public SalvoEventSerializer() {}

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof QueueEvent.MessageAppended) {
      return MESSAGE_APPENDED;
    } else if (o instanceof TopicEvent.TopicCreated) {
      return TOPIC_CREATED;
    } else if (o instanceof TopicEvent.RetentionSet) {
      return RETENTION_SET;
    } else if (o instanceof TopicEvent.QueueCountSet) {
      return QUEUE_COUNT_SET;
    } else if (o instanceof TopicEvent.TopicDeleted) {
      return TOPIC_DELETED;
    } else if (o instanceof GroupEvent.OffsetReset) {
      return OFFSET_RESET;
    } else if (o instanceof GroupEvent.MemberJoined) {
      return MEMBER_JOINED;
    } else if (o instanceof GroupEvent.MemberLeft) {
      return MEMBER_LEFT;
    } else if (o instanceof GroupEvent.OffsetCommitted) {
      return OFFSET_COMMITTED;
    } else if (o instanceof GroupEvent.QueueGranted) {
      return QUEUE_GRANTED;
    } else if (o instanceof GroupEvent.QueueReleased) {
      return QUEUE_RELEASED;
    } else if (o instanceof TimerEvent.MessageScheduled) {
      return MESSAGE_SCHEDULED;
    } else if (o instanceof TimerEvent.BucketFired) {
      return BUCKET_FIRED;
    } else if (o instanceof TimerEvent.BucketDelivered) {
      return BUCKET_DELIVERED;
    } else if (o instanceof TimerEvent.BucketRegistered) {
      return BUCKET_REGISTERED;
    } else if (o instanceof TimerEvent.IndexSealed) {
      return INDEX_SEALED;
    } else if (o instanceof TimerEvent.WheelAdvanced) {
      return WHEEL_ADVANCED;
    } else if (o instanceof TransactionEvent.TransactionPrepared) {
      return TRANSACTION_PREPARED;
    } else if (o instanceof TransactionEvent.CheckRequested) {
      return CHECK_REQUESTED;
    } else if (o instanceof TransactionEvent.CommitDecided) {
      return COMMIT_DECIDED;
    } else if (o instanceof TransactionEvent.CommitDelivered) {
      return COMMIT_DELIVERED;
    } else if (o instanceof TransactionEvent.RolledBack) {
      return ROLLED_BACK;
    } else if (o instanceof TransactionEvent.Discarded) {
      return DISCARDED;
    }
    throw unknownType(o);
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof QueueEvent.MessageAppended m) {
      return writeMessageAppended(m);
    } else if (o instanceof TopicEvent.TopicCreated t) {
      Writer w = new Writer(Writer.varLongSize(t.queueCount()) + 1 + Writer.varLongSize(t.timestamp()));
      w.varLong(t.queueCount()).bool(t.autoCreated()).varLong(t.timestamp());
      return w.done();
    } else if (o instanceof GroupEvent.MemberJoined j) {
      return writeMember(j.clientId(), j.generation(), j.timestamp());
    } else if (o instanceof GroupEvent.MemberLeft l) {
      return writeMember(l.clientId(), l.generation(), l.timestamp());
    } else if (o instanceof GroupEvent.OffsetCommitted c) {
      Writer w = new Writer(Writer.stringSize(c.topic()) + Writer.varLongSize(c.queueId())
          + Writer.varLongSize(c.offset()) + Writer.varLongSize(c.timestamp()));
      w.string(c.topic()).varLong(c.queueId()).varLong(c.offset()).varLong(c.timestamp());
      return w.done();
    } else if (o instanceof TopicEvent.RetentionSet t) {
      return writeLongs(t.retentionMs(), t.timestamp());
    } else if (o instanceof TopicEvent.QueueCountSet t) {
      return writeLongs(t.queueCount(), t.timestamp());
    } else if (o instanceof TopicEvent.TopicDeleted t) {
      return writeLongs(t.queueCount(), t.timestamp());
    } else if (o instanceof GroupEvent.OffsetReset x) {
      Writer w = new Writer(Writer.stringSize(x.topic()) + Writer.varLongSize(x.queueId())
          + Writer.varLongSize(x.offset()) + Writer.stringSize(x.holder()) + Writer.varLongSize(x.timestamp()));
      w.string(x.topic()).varLong(x.queueId()).varLong(x.offset()).string(x.holder()).varLong(x.timestamp());
      return w.done();
    } else if (o instanceof GroupEvent.QueueGranted g) {
      return writeQueueHolder(g.topic(), g.queueId(), g.clientId(), g.timestamp());
    } else if (o instanceof GroupEvent.QueueReleased r) {
      return writeQueueHolder(r.topic(), r.queueId(), r.clientId(), r.timestamp());
    } else if (o instanceof TimerEvent.MessageScheduled m) {
      Writer w = new Writer(Writer.stringSize(m.topic()) + Writer.varLongSize(m.queueId())
          + Writer.varLongSize(m.deliverAt()) + messageSize(m.message()));
      w.string(m.topic()).varLong(m.queueId()).varLong(m.deliverAt());
      writeMessage(w, m.message());
      return w.done();
    } else if (o instanceof TimerEvent.BucketFired f) {
      return writeLongs(f.timestamp());
    } else if (o instanceof TimerEvent.BucketDelivered d) {
      return writeLongs(d.upToSequenceNr(), d.timestamp());
    } else if (o instanceof TimerEvent.BucketRegistered b) {
      return writeLongs(b.second(), b.partition());
    } else if (o instanceof TimerEvent.IndexSealed x) {
      return writeLongs(x.upToSecond());
    } else if (o instanceof TimerEvent.WheelAdvanced a) {
      return writeLongs(a.second());
    } else if (o instanceof TransactionEvent.TransactionPrepared p) {
      Writer w = new Writer(Writer.stringSize(p.producerGroup()) + Writer.stringSize(p.topic())
          + Writer.varLongSize(p.queueId()) + messageSize(p.message()) + Writer.varLongSize(p.preparedAtMs()));
      w.string(p.producerGroup()).string(p.topic()).varLong(p.queueId());
      writeMessage(w, p.message());
      w.varLong(p.preparedAtMs());
      return w.done();
    } else if (o instanceof TransactionEvent.CheckRequested c) {
      return writeLongs(c.checkTimes(), c.atMs());
    } else if (o instanceof TransactionEvent.CommitDecided d) {
      return writeBool(d.fromCheck());
    } else if (o instanceof TransactionEvent.CommitDelivered d) {
      return writeLongs(d.queueOffset());
    } else if (o instanceof TransactionEvent.RolledBack r) {
      return writeBool(r.fromCheck());
    } else if (o instanceof TransactionEvent.Discarded d) {
      return writeLongs(d.checkTimes());
    }
    throw unknownType(o);
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    switch (manifest) {
      case MESSAGE_APPENDED:
        return readMessageAppended(new Reader(bytes, manifest));
      case TOPIC_CREATED: {
        Reader r = new Reader(bytes, manifest);
        int queueCount = r.varInt();
        boolean autoCreated = r.bool();
        long timestamp = r.varLong();
        r.end();
        return new TopicEvent.TopicCreated(queueCount, autoCreated, timestamp);
      }
      case MEMBER_JOINED: {
        Reader r = new Reader(bytes, manifest);
        GroupEvent.MemberJoined e = new GroupEvent.MemberJoined(r.string(), r.varLong(), r.varLong());
        r.end();
        return e;
      }
      case MEMBER_LEFT: {
        Reader r = new Reader(bytes, manifest);
        GroupEvent.MemberLeft e = new GroupEvent.MemberLeft(r.string(), r.varLong(), r.varLong());
        r.end();
        return e;
      }
      case OFFSET_COMMITTED: {
        Reader r = new Reader(bytes, manifest);
        GroupEvent.OffsetCommitted e =
            new GroupEvent.OffsetCommitted(r.string(), r.varInt(), r.varLong(), r.varLong());
        r.end();
        return e;
      }
      case RETENTION_SET: {
        long[] v = readLongs(bytes, manifest, 2);
        return new TopicEvent.RetentionSet(v[0], v[1]);
      }
      case QUEUE_COUNT_SET: {
        long[] v = readLongs(bytes, manifest, 2);
        return new TopicEvent.QueueCountSet(Math.toIntExact(v[0]), v[1]);
      }
      case TOPIC_DELETED: {
        long[] v = readLongs(bytes, manifest, 2);
        return new TopicEvent.TopicDeleted(Math.toIntExact(v[0]), v[1]);
      }
      case OFFSET_RESET: {
        Reader r = new Reader(bytes, manifest);
        GroupEvent.OffsetReset e =
            new GroupEvent.OffsetReset(r.string(), r.varInt(), r.varLong(), r.string(), r.varLong());
        r.end();
        return e;
      }
      case QUEUE_GRANTED: {
        Reader r = new Reader(bytes, manifest);
        GroupEvent.QueueGranted e = new GroupEvent.QueueGranted(r.string(), r.varInt(), r.string(), r.varLong());
        r.end();
        return e;
      }
      case QUEUE_RELEASED: {
        Reader r = new Reader(bytes, manifest);
        GroupEvent.QueueReleased e = new GroupEvent.QueueReleased(r.string(), r.varInt(), r.string(), r.varLong());
        r.end();
        return e;
      }
      case MESSAGE_SCHEDULED: {
        Reader r = new Reader(bytes, manifest);
        String topic = r.string();
        int queueId = r.varInt();
        long deliverAt = r.varLong();
        QueueEvent.MessageAppended message = readMessage(r);
        r.end();
        return new TimerEvent.MessageScheduled(topic, queueId, deliverAt, message);
      }
      case BUCKET_FIRED: {
        long[] v = readLongs(bytes, manifest, 1);
        return new TimerEvent.BucketFired(v[0]);
      }
      case BUCKET_DELIVERED: {
        long[] v = readLongs(bytes, manifest, 2);
        return new TimerEvent.BucketDelivered(v[0], v[1]);
      }
      case BUCKET_REGISTERED: {
        Reader r = new Reader(bytes, manifest);
        TimerEvent.BucketRegistered e = new TimerEvent.BucketRegistered(r.varLong(), r.varInt());
        r.end();
        return e;
      }
      case INDEX_SEALED: {
        long[] v = readLongs(bytes, manifest, 1);
        return new TimerEvent.IndexSealed(v[0]);
      }
      case WHEEL_ADVANCED: {
        long[] v = readLongs(bytes, manifest, 1);
        return new TimerEvent.WheelAdvanced(v[0]);
      }
      case TRANSACTION_PREPARED: {
        Reader r = new Reader(bytes, manifest);
        String producerGroup = r.string();
        String topic = r.string();
        int queueId = r.varInt();
        QueueEvent.MessageAppended message = readMessage(r);
        long preparedAtMs = r.varLong();
        r.end();
        return new TransactionEvent.TransactionPrepared(producerGroup, topic, queueId, message, preparedAtMs);
      }
      case CHECK_REQUESTED: {
        Reader r = new Reader(bytes, manifest);
        TransactionEvent.CheckRequested e = new TransactionEvent.CheckRequested(r.varInt(), r.varLong());
        r.end();
        return e;
      }
      case COMMIT_DECIDED:
        return new TransactionEvent.CommitDecided(readBool(bytes, manifest));
      case COMMIT_DELIVERED: {
        long[] v = readLongs(bytes, manifest, 1);
        return new TransactionEvent.CommitDelivered(v[0]);
      }
      case ROLLED_BACK:
        return new TransactionEvent.RolledBack(readBool(bytes, manifest));
      case DISCARDED: {
        Reader r = new Reader(bytes, manifest);
        TransactionEvent.Discarded e = new TransactionEvent.Discarded(r.varInt());
        r.end();
        return e;
      }
      default:
        throw new NotSerializableException("SalvoEventSerializer: unknown manifest '" + manifest
            + "' (this build reads " + MANIFESTS + ")");
    }
  }

  // ---------------------------------------------------------------- per event

  private static byte[] writeMessageAppended(QueueEvent.MessageAppended m) {
    Writer w = new Writer(messageSize(m));
    writeMessage(w, m);
    return w.done();
  }

  private static int messageSize(QueueEvent.MessageAppended m) {
    int size = Writer.stringSize(m.messageId()) + Writer.stringSize(m.tags());
    List<String> keys = m.keys();
    size += Writer.varIntSize(keys.size());
    for (int i = 0, n = keys.size(); i < n; i++) {
      size += Writer.stringSize(keys.get(i));
    }
    Map<String, String> props = m.properties();
    size += Writer.varIntSize(props.size());
    for (Map.Entry<String, String> e : props.entrySet()) {
      size += Writer.stringSize(e.getKey()) + Writer.stringSize(e.getValue());
    }
    return size + Writer.bytesSize(m.body()) + Writer.varLongSize(m.bornTimestamp()) + Writer.stringSize(m.bornHost())
        + Writer.varLongSize(m.storeTimestamp()) + Writer.varLongSize(m.reconsumeTimes());
  }

  private static void writeMessage(Writer w, QueueEvent.MessageAppended m) {
    List<String> keys = m.keys();
    Map<String, String> props = m.properties();
    w.string(m.messageId()).string(m.tags());
    w.unsigned(keys.size());
    for (int i = 0, n = keys.size(); i < n; i++) {
      w.string(keys.get(i));
    }
    w.unsigned(props.size());
    for (Map.Entry<String, String> e : props.entrySet()) {
      w.string(e.getKey()).string(e.getValue());
    }
    w.bytes(m.body()).varLong(m.bornTimestamp()).string(m.bornHost()).varLong(m.storeTimestamp())
        .varLong(m.reconsumeTimes());
  }

  private static QueueEvent.MessageAppended readMessageAppended(Reader r) {
    QueueEvent.MessageAppended m = readMessage(r);
    r.end();
    return m;
  }

  private static QueueEvent.MessageAppended readMessage(Reader r) {
    String messageId = r.string();
    String tags = r.string();
    int keyCount = r.count();
    String[] keys = new String[keyCount];
    for (int i = 0; i < keyCount; i++) {
      keys[i] = r.nonNullString("keys[" + i + "]");
    }
    int propCount = r.count();
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] props = new Map.Entry[propCount];
    for (int i = 0; i < propCount; i++) {
      props[i] = Map.entry(r.nonNullString("property key"), r.nonNullString("property value"));
    }
    byte[] body = r.bytes();
    long bornTimestamp = r.varLong();
    String bornHost = r.string();
    long storeTimestamp = r.varLong();
    int reconsumeTimes = r.varInt();
    Map<String, String> properties;
    try {
      properties = Map.ofEntries(props);
    } catch (IllegalArgumentException e) {
      throw r.corrupt("duplicate property key (" + e.getMessage() + ")");
    }
    return new QueueEvent.MessageAppended(messageId, tags, List.of(keys), properties, body, bornTimestamp,
        bornHost, storeTimestamp, reconsumeTimes);
  }

  private static byte[] writeLongs(long... values) {
    int size = 0;
    for (long v : values) {
      size += Writer.varLongSize(v);
    }
    Writer w = new Writer(size);
    for (long v : values) {
      w.varLong(v);
    }
    return w.done();
  }

  private static long[] readLongs(byte[] bytes, String manifest, int count) {
    Reader r = new Reader(bytes, manifest);
    long[] values = new long[count];
    for (int i = 0; i < count; i++) {
      values[i] = r.varLong();
    }
    r.end();
    return values;
  }

  private static byte[] writeBool(boolean value) {
    Writer w = new Writer(1);
    w.bool(value);
    return w.done();
  }

  private static boolean readBool(byte[] bytes, String manifest) {
    Reader r = new Reader(bytes, manifest);
    boolean value = r.bool();
    r.end();
    return value;
  }

  private static byte[] writeMember(String clientId, long generation, long timestamp) {
    Writer w = new Writer(Writer.stringSize(clientId) + Writer.varLongSize(generation) + Writer.varLongSize(timestamp));
    w.string(clientId).varLong(generation).varLong(timestamp);
    return w.done();
  }

  private static byte[] writeQueueHolder(String topic, int queueId, String clientId, long timestamp) {
    Writer w = new Writer(Writer.stringSize(topic) + Writer.varLongSize(queueId) + Writer.stringSize(clientId)
        + Writer.varLongSize(timestamp));
    w.string(topic).varLong(queueId).string(clientId).varLong(timestamp);
    return w.done();
  }

  private static IllegalArgumentException unknownType(Object o) {
    return new IllegalArgumentException("SalvoEventSerializer cannot serialize "
        + (o == null ? "null" : o.getClass().getName()) + ": add it to SalvoEventSerializer with a new manifest");
  }

  // ---------------------------------------------------------------- wire primitives

  /** Writes into one array sized up front; {@link #done()} checks the size was exact. */
  static final class Writer {
    private final byte[] buf;
    private int pos;

    Writer(int payloadSize) {
      buf = new byte[HEADER + payloadSize];
      buf[0] = MAGIC;
      buf[1] = VERSION;
      pos = HEADER;
    }

    byte[] done() {
      if (pos != buf.length) {
        throw new IllegalStateException("SalvoEventSerializer sized " + buf.length + " bytes but wrote " + pos);
      }
      return buf;
    }

    Writer unsigned(long v) {
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
      return this;
    }

    Writer varLong(long v) {
      return unsigned((v << 1) ^ (v >> 63));
    }

    Writer bool(boolean b) {
      buf[pos++] = (byte) (b ? 1 : 0);
      return this;
    }

    Writer bytes(byte[] b) {
      if (b == null) {
        return unsigned(0);
      }
      unsigned(b.length + 1L);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
      return this;
    }

    Writer string(String s) {
      if (s == null) {
        return unsigned(0);
      }
      unsigned(utf8Length(s) + 1L);
      int n = s.length();
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          buf[pos++] = (byte) c;
        } else if (c < 0x800) {
          buf[pos++] = (byte) (0xC0 | (c >> 6));
          buf[pos++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          buf[pos++] = (byte) (0xF0 | (cp >> 18));
          buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          buf[pos++] = (byte) (0x80 | (cp & 0x3F));
        } else if (Character.isSurrogate(c)) {
          buf[pos++] = '?'; // unpaired surrogate, as String.getBytes(UTF_8) does
        } else {
          buf[pos++] = (byte) (0xE0 | (c >> 12));
          buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
          buf[pos++] = (byte) (0x80 | (c & 0x3F));
        }
      }
      return this;
    }

    static int utf8Length(String s) {
      int n = s.length();
      int len = n;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          continue;
        }
        if (c < 0x800) {
          len += 1;
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          len += 2; // two chars, four bytes
          i++;
        } else if (!Character.isSurrogate(c)) {
          len += 2;
        }
      }
      return len;
    }

    static int varIntSize(int unsignedValue) {
      return unsignedSize(unsignedValue & 0xFFFFFFFFL);
    }

    static int varLongSize(long signedValue) {
      return unsignedSize((signedValue << 1) ^ (signedValue >> 63));
    }

    static int unsignedSize(long v) {
      int bits = 64 - Long.numberOfLeadingZeros(v | 1);
      return (bits + 6) / 7;
    }

    static int stringSize(String s) {
      if (s == null) {
        return 1;
      }
      int len = utf8Length(s);
      return unsignedSize(len + 1L) + len;
    }

    static int bytesSize(byte[] b) {
      return b == null ? 1 : unsignedSize(b.length + 1L) + b.length;
    }
  }

  /** Reads a payload; every failure is an {@link IllegalArgumentException} naming the manifest and offset. */
  static final class Reader {
    private final byte[] buf;
    private final String manifest;
    private final int minor;
    private int pos;

    Reader(byte[] buf, String manifest) {
      this.buf = buf;
      this.manifest = manifest;
      if (buf == null || buf.length < HEADER) {
        throw new IllegalArgumentException("corrupt " + manifest + " payload: " + (buf == null ? 0 : buf.length)
            + " bytes, shorter than the " + HEADER + "-byte header");
      }
      if (buf[0] != MAGIC) {
        throw new IllegalArgumentException(String.format(
            "corrupt %s payload: magic byte 0x%02X, expected 0x%02X (not written by SalvoEventSerializer)",
            manifest, buf[0] & 0xFF, MAGIC & 0xFF));
      }
      int major = (buf[1] & 0xF0) >>> 4;
      if (major != FORMAT_MAJOR) {
        throw new IllegalArgumentException("unsupported " + manifest + " payload: format version " + major + "."
            + (buf[1] & 0x0F) + ", this build reads " + FORMAT_MAJOR + ".x");
      }
      this.minor = buf[1] & 0x0F;
      this.pos = HEADER;
    }

    /** After the last known field: a newer minor version may have appended fields; an equal or older may not. */
    void end() {
      if (pos != buf.length && minor <= FORMAT_MINOR) {
        throw corrupt((buf.length - pos) + " trailing bytes after the last field");
      }
    }

    long unsigned() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        need(1);
        byte b = buf[pos++];
        result |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return result;
        }
      }
      throw corrupt("varint longer than 10 bytes");
    }

    long varLong() {
      long v = unsigned();
      return (v >>> 1) ^ -(v & 1);
    }

    int varInt() {
      long v = varLong();
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw corrupt("int field out of range: " + v);
      }
      return (int) v;
    }

    boolean bool() {
      need(1);
      byte b = buf[pos++];
      if (b != 0 && b != 1) {
        throw corrupt("boolean byte " + b);
      }
      return b == 1;
    }

    /** A collection size; each element takes at least one byte, which bounds it by what is left. */
    int count() {
      long n = unsigned();
      if (n > buf.length - pos) {
        throw corrupt("count " + n + " exceeds the " + (buf.length - pos) + " bytes left");
      }
      return (int) n;
    }

    String string() {
      int len = length();
      if (len < 0) {
        return null;
      }
      String s = new String(buf, pos, len, StandardCharsets.UTF_8);
      pos += len;
      return s;
    }

    String nonNullString(String what) {
      String s = string();
      if (s == null) {
        throw corrupt(what + " is null");
      }
      return s;
    }

    byte[] bytes() {
      int len = length();
      if (len < 0) {
        return null;
      }
      byte[] b = Arrays.copyOfRange(buf, pos, pos + len);
      pos += len;
      return b;
    }

    /** Length prefix (stored + 1), checked against what is left; -1 for null. */
    private int length() {
      int at = pos;
      long stored = unsigned();
      if (stored == 0) {
        return -1;
      }
      long len = stored - 1;
      if (len > buf.length - pos) {
        pos = at;
        throw corrupt("truncated: field of " + len + " bytes at offset " + at + " but only "
            + (buf.length - (at + Writer.unsignedSize(stored))) + " bytes left");
      }
      return (int) len;
    }

    private void need(int n) {
      if (buf.length - pos < n) {
        throw corrupt("truncated: needs " + n + " more byte(s)");
      }
    }

    IllegalArgumentException corrupt(String why) {
      return new IllegalArgumentException("corrupt " + manifest + " payload (" + buf.length + " bytes, offset "
          + pos + "): " + why);
    }
  }
}
