package io.salvo.client.javadsl;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.internal.BrokerAddress;
import io.salvo.client.internal.ClientSettings;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.validation.Validation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The settings of a {@link SalvoSource}: the consumer group, the brokers, where a group with no committed offset
 * starts, and the stream's buffers. Read from {@code salvo.client} (see reference.conf: {@code salvo.client.consumer}
 * and {@code salvo.client.streams.consumer}); each {@code withXxx} returns a copy with one value replaced and checks
 * it at once.
 *
 * <p>Errors: a value that is out of range or malformed throws {@link SalvoException} with its {@link ErrorCode}
 * (INVALID_GROUP, BAD_REQUEST) and a message naming the value; an invalid configuration key throws
 * {@link ConfigException} naming the key.
 *
 * <p>Immutable and thread safe.
 */
public final class ConsumerSettings {
  private final ClientSettings client;
  private final String group;
  private final String namesrvAddr;
  private final String instanceName;
  private final ConsumeFromWhere consumeFromWhere;
  private final Instant consumeTimestamp;
  private final int receiveMaxBatch;
  private final int perQueueBuffer;
  private final Duration stopTimeout;

  private ConsumerSettings(ClientSettings client, String group, String namesrvAddr, String instanceName,
      ConsumeFromWhere consumeFromWhere, Instant consumeTimestamp, int receiveMaxBatch, int perQueueBuffer,
      Duration stopTimeout) {
    this.client = client;
    this.group = group;
    this.namesrvAddr = namesrvAddr;
    this.instanceName = instanceName;
    this.consumeFromWhere = consumeFromWhere;
    this.consumeTimestamp = consumeTimestamp;
    this.receiveMaxBatch = receiveMaxBatch;
    this.perQueueBuffer = perQueueBuffer;
    this.stopTimeout = stopTimeout;
  }

  /** Settings of consumer group {@code group} from the application's configuration ({@code ConfigFactory.load()}). */
  public static ConsumerSettings create(String group) {
    return create(ConfigFactory.load(), group);
  }

  /**
   * Settings of consumer group {@code group} from {@code config}'s {@code salvo.client}. A group with no committed
   * offset starts at each queue's first message (CONSUME_FROM_FIRST_OFFSET), as the push consumer does.
   *
   * @throws SalvoException INVALID_GROUP for an invalid group name
   * @throws ConfigException for a missing or invalid key, naming it
   */
  public static ConsumerSettings create(Config config, String group) {
    Validation.checkGroup(group);
    ClientSettings client = ClientSettings.create(config);
    Config streams = config.getConfig("salvo.client.streams.consumer");
    int perQueueBuffer = streams.getInt("per-queue-buffer");
    if (perQueueBuffer < 1) {
      throw new ConfigException.BadValue(streams.origin(), "per-queue-buffer", "must be positive, was "
          + perQueueBuffer);
    }
    Duration stopTimeout = streams.getDuration("stop-timeout");
    if (stopTimeout.isNegative()) {
      throw new ConfigException.BadValue(streams.origin(), "stop-timeout", "must not be negative, was " + stopTimeout);
    }
    return new ConsumerSettings(client, group, client.namesrvAddr(), "DEFAULT",
        ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET, Instant.now().minus(Duration.ofMinutes(30)),
        client.consumer().receiveMaxBatch(), perQueueBuffer, stopTimeout);
  }

  /**
   * Broker client addresses, {@code "host:port;host:port"} (the port defaults to 9876).
   *
   * @throws SalvoException BAD_REQUEST for an empty or malformed list, naming it
   */
  public ConsumerSettings withNamesrvAddr(String namesrvAddr) {
    BrokerAddress.parseList(namesrvAddr, client.defaultPort());
    return copy(client, namesrvAddr, instanceName, consumeFromWhere, consumeTimestamp, receiveMaxBatch,
        perQueueBuffer, stopTimeout);
  }

  /** A name that becomes part of the consumer's client id (default "DEFAULT"), as {@code setInstanceName}. */
  public ConsumerSettings withInstanceName(String instanceName) {
    Objects.requireNonNull(instanceName, "instanceName");
    return copy(client, namesrvAddr, instanceName, consumeFromWhere, consumeTimestamp, receiveMaxBatch,
        perQueueBuffer, stopTimeout);
  }

  /**
   * Where a group with no committed offset starts in a queue; a committed offset always wins.
   * CONSUME_FROM_TIMESTAMP starts at the time of {@link #withConsumeFromTimestamp} (default: half an hour before
   * these settings were created, as RocketMQ).
   */
  public ConsumerSettings withConsumeFromWhere(ConsumeFromWhere consumeFromWhere) {
    Objects.requireNonNull(consumeFromWhere, "consumeFromWhere");
    return copy(client, namesrvAddr, instanceName, consumeFromWhere, consumeTimestamp, receiveMaxBatch,
        perQueueBuffer, stopTimeout);
  }

  /** A group with no committed offset starts at the first message stored at or after {@code timestamp}. */
  public ConsumerSettings withConsumeFromTimestamp(Instant timestamp) {
    Objects.requireNonNull(timestamp, "timestamp");
    return copy(client, namesrvAddr, instanceName, ConsumeFromWhere.CONSUME_FROM_TIMESTAMP, timestamp,
        receiveMaxBatch, perQueueBuffer, stopTimeout);
  }

  /**
   * Most messages per ReceiveMessages stream element asked of the broker (1 to 1024; the broker caps it with its own
   * {@code salvo.broker.delivery.max-batch}).
   *
   * @throws SalvoException BAD_REQUEST when out of range
   */
  public ConsumerSettings withReceiveMaxBatch(int receiveMaxBatch) {
    if (receiveMaxBatch < 1 || receiveMaxBatch > 1024) {
      throw bad("receiveMaxBatch " + receiveMaxBatch + " must be between 1 and 1024");
    }
    return copy(client, namesrvAddr, instanceName, consumeFromWhere, consumeTimestamp, receiveMaxBatch,
        perQueueBuffer, stopTimeout);
  }

  /**
   * Messages of each queue that may wait in the merged Source (1 to 65535); beyond it the queue's stream from the
   * broker is backpressured.
   *
   * @throws SalvoException BAD_REQUEST when out of range
   */
  public ConsumerSettings withPerQueueBuffer(int perQueueBuffer) {
    if (perQueueBuffer < 1 || perQueueBuffer > 65535) {
      throw bad("perQueueBuffer " + perQueueBuffer + " must be between 1 and 65535");
    }
    return copy(client, namesrvAddr, instanceName, consumeFromWhere, consumeTimestamp, receiveMaxBatch,
        perQueueBuffer, stopTimeout);
  }

  /**
   * How long the consumer stays in its group, committing, after {@link SalvoSource.Control#stop()} completed the
   * Source (zero or more).
   *
   * @throws SalvoException BAD_REQUEST when negative
   */
  public ConsumerSettings withStopTimeout(Duration stopTimeout) {
    if (stopTimeout == null || stopTimeout.isNegative()) {
      throw bad("stopTimeout " + stopTimeout + " must be zero or more");
    }
    return copy(client, namesrvAddr, instanceName, consumeFromWhere, consumeTimestamp, receiveMaxBatch,
        perQueueBuffer, stopTimeout);
  }

  /**
   * How often the offsets the stream committed are sent to the broker (default
   * {@code salvo.client.consumer.commit-interval}, 1 s): the bound on what a crash makes the group consume again.
   *
   * @throws SalvoException BAD_REQUEST when not positive
   */
  public ConsumerSettings withCommitInterval(Duration commitInterval) {
    if (commitInterval == null || commitInterval.isNegative() || commitInterval.isZero()) {
      throw bad("commitInterval " + commitInterval + " must be positive");
    }
    ClientSettings.Consumer k = client.consumer();
    ClientSettings changed = new ClientSettings(client.namesrvAddr(), client.defaultPort(), client.requestTimeout(),
        client.producer(), new ClientSettings.Consumer(k.consumeThreadMin(), k.consumeThreadMax(),
            k.consumeMessageBatchMaxSize(), k.pullThresholdForQueue(), k.receiveMaxBatch(), commitInterval,
            k.heartbeatInterval(), k.reconsumeDelay(), k.suspendCurrentQueueTime(), k.consumeTimeout(),
            k.reconnectMinBackoff(),
            k.reconnectMaxBackoff(), k.reconnectRandomFactor(), k.receiveSilenceTimeout(), k.shutdownTimeout()));
    return copy(changed, namesrvAddr, instanceName, consumeFromWhere, consumeTimestamp, receiveMaxBatch,
        perQueueBuffer, stopTimeout);
  }

  public String group() {
    return group;
  }

  public String namesrvAddr() {
    return namesrvAddr;
  }

  public String instanceName() {
    return instanceName;
  }

  public ConsumeFromWhere consumeFromWhere() {
    return consumeFromWhere;
  }

  /** Where CONSUME_FROM_TIMESTAMP starts. */
  public Instant consumeTimestamp() {
    return consumeTimestamp;
  }

  public int receiveMaxBatch() {
    return receiveMaxBatch;
  }

  public int perQueueBuffer() {
    return perQueueBuffer;
  }

  public Duration stopTimeout() {
    return stopTimeout;
  }

  public Duration commitInterval() {
    return client.consumer().commitInterval();
  }

  /** The client settings the consumer runs with. */
  ClientSettings clientSettings() {
    return client;
  }

  /** The broker addresses; throws SalvoException BAD_REQUEST when none is configured or the list is malformed. */
  List<BrokerAddress> brokerAddresses() {
    try {
      return BrokerAddress.parseList(namesrvAddr, client.defaultPort());
    } catch (SalvoException e) {
      throw new SalvoException(e.code(), "consumer group '" + group + "': " + e.getMessage()
          + " (set salvo.client.namesrv-addr or call ConsumerSettings.withNamesrvAddr)", e);
    }
  }

  @Override
  public String toString() {
    return "ConsumerSettings(group=" + group + ", namesrvAddr=" + namesrvAddr + ", instanceName=" + instanceName
        + ", consumeFromWhere=" + consumeFromWhere
        + (consumeFromWhere == ConsumeFromWhere.CONSUME_FROM_TIMESTAMP ? " " + consumeTimestamp : "")
        + ", receiveMaxBatch=" + receiveMaxBatch + ", perQueueBuffer=" + perQueueBuffer + ", stopTimeout="
        + stopTimeout + ", commitInterval=" + commitInterval() + ")";
  }

  private ConsumerSettings copy(ClientSettings client, String namesrvAddr, String instanceName,
      ConsumeFromWhere consumeFromWhere, Instant consumeTimestamp, int receiveMaxBatch, int perQueueBuffer,
      Duration stopTimeout) {
    return new ConsumerSettings(client, group, namesrvAddr, instanceName, consumeFromWhere, consumeTimestamp,
        receiveMaxBatch, perQueueBuffer, stopTimeout);
  }

  private SalvoException bad(String detail) {
    return new SalvoException(ErrorCode.BAD_REQUEST,
        ErrorCode.BAD_REQUEST.format("consumer group '" + group + "': " + detail));
  }
}
