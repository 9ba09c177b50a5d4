package io.salvo.client.javadsl;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.internal.BrokerAddress;
import io.salvo.client.internal.ClientSettings;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.validation.Validation;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The settings of {@link SalvoProducer}'s sinks and flows: the producer group, the brokers, the sends in flight, the
 * send timeout and retries; or a started {@link DefaultMQProducer} to share. Read from {@code salvo.client} (see
 * reference.conf: {@code salvo.client.producer} and {@code salvo.client.streams.producer}); each {@code withXxx}
 * returns a copy with one value replaced and checks it at once.
 *
 * <p>Errors: a value that is out of range or malformed throws {@link SalvoException} with its {@link ErrorCode}
 * (INVALID_GROUP, BAD_REQUEST) and a message naming the value; an invalid configuration key throws
 * {@link ConfigException} naming the key.
 *
 * <p>Immutable and thread safe (a shared producer is itself thread safe).
 */
public final class ProducerSettings {
  private final ClientSettings client;
  private final String group;
  private final String namesrvAddr;
  private final int parallelism;
  private final Duration sendTimeout;
  private final int retryTimes;
  private final DefaultMQProducer producer;

  private ProducerSettings(ClientSettings client, String group, String namesrvAddr, int parallelism,
      Duration sendTimeout, int retryTimes, DefaultMQProducer producer) {
    this.client = client;
    this.group = group;
    this.namesrvAddr = namesrvAddr;
    this.parallelism = parallelism;
    this.sendTimeout = sendTimeout;
    this.retryTimes = retryTimes;
    this.producer = producer;
  }

  /** Settings of producer group {@code group} from the application's configuration ({@code ConfigFactory.load()}). */
  public static ProducerSettings create(String group) {
    return create(ConfigFactory.load(), group);
  }

  /**
   * Settings of producer group {@code group} from {@code config}'s {@code salvo.client}.
   *
   * @throws SalvoException INVALID_GROUP for an invalid group name
   * @throws ConfigException for a missing or invalid key, naming it
   */
  public static ProducerSettings create(Config config, String group) {
    Validation.checkGroup(group);
    ClientSettings client = ClientSettings.create(config);
    Config streams = config.getConfig("salvo.client.streams.producer");
    int parallelism = streams.getInt("parallelism");
    if (parallelism < 1) {
      throw new ConfigException.BadValue(streams.origin(), "parallelism", "must be positive, was " + parallelism);
    }
    return new ProducerSettings(client, group, client.namesrvAddr(), parallelism, client.producer().sendTimeout(),
        client.producer().retryTimesWhenSendAsyncFailed(), null);
  }

  /**
   * Broker client addresses, {@code "host:port;host:port"} (the port defaults to 9876).
   *
   * @throws SalvoException BAD_REQUEST for an empty or malformed list, naming it
   */
  public ProducerSettings withNamesrvAddr(String namesrvAddr) {
    BrokerAddress.parseList(namesrvAddr, client.defaultPort());
    return new ProducerSettings(client, group, namesrvAddr, parallelism, sendTimeout, retryTimes, producer);
  }

  /**
   * Sends in flight per materialized sink or flow, 1 to 10000; beyond it the stream is backpressured. With 1 the
   * messages of one queue (one sharding key) are stored exactly in stream order.
   *
   * @throws SalvoException BAD_REQUEST when out of range
   */
  public ProducerSettings withParallelism(int parallelism) {
    if (parallelism < 1 || parallelism > 10_000) {
      throw bad("parallelism " + parallelism + " must be between 1 and 10000");
    }
    return new ProducerSettings(client, group, namesrvAddr, parallelism, sendTimeout, retryTimes, producer);
  }

  /**
   * Time budget of each send, retries included (as {@code setSendMsgTimeout}).
   *
   * @throws SalvoException BAD_REQUEST when not positive or over 24 days
   */
  public ProducerSettings withSendTimeout(Duration sendTimeout) {
    if (sendTimeout == null || sendTimeout.isNegative() || sendTimeout.isZero()
        || sendTimeout.toMillis() > Integer.MAX_VALUE) {
      throw bad("sendTimeout " + sendTimeout + " must be positive and at most " + Integer.MAX_VALUE + " ms");
    }
    return new ProducerSettings(client, group, namesrvAddr, parallelism, sendTimeout, retryTimes, producer);
  }

  /**
   * Further attempts of a send after a retriable failure, each on the next broker address (as
   * {@code setRetryTimesWhenSendAsyncFailed}).
   *
   * @throws SalvoException BAD_REQUEST when negative
   */
  public ProducerSettings withRetryTimes(int retryTimes) {
    if (retryTimes < 0) {
      throw bad("retryTimes " + retryTimes + " must not be negative");
    }
    return new ProducerSettings(client, group, namesrvAddr, parallelism, sendTimeout, retryTimes, producer);
  }

  /**
   * Sends through {@code producer}, started and owned by the caller, instead of a producer started for each
   * materialization: the stream does not shut it down. The group, addresses, timeout and retries here are then not
   * used (the producer's own are).
   */
  public ProducerSettings withProducer(DefaultMQProducer producer) {
    Objects.requireNonNull(producer, "producer");
    return new ProducerSettings(client, group, namesrvAddr, parallelism, sendTimeout, retryTimes, producer);
  }

  public String group() {
    return group;
  }

  public String namesrvAddr() {
    return namesrvAddr;
  }

  public int parallelism() {
    return parallelism;
  }

  public Duration sendTimeout() {
    return sendTimeout;
  }

  public int retryTimes() {
    return retryTimes;
  }

  /** The shared producer, or null when each materialization starts its own. */
  public DefaultMQProducer producer() {
    return producer;
  }

  /** Checks what a materialization will need: the broker addresses, unless a producer is shared. */
  void check() {
    if (producer == null) {
      brokerAddresses();
    }
  }

  /** The producer a materialization sends through: the shared one, or a new started one it must shut down. */
  DefaultMQProducer open() {
    if (producer != null) {
      return producer;
    }
    DefaultMQProducer p = new DefaultMQProducer(group, client);
    p.setNamesrvAddr(namesrvAddr);
    p.setSendMsgTimeout((int) sendTimeout.toMillis());
    p.setRetryTimesWhenSendAsyncFailed(retryTimes);
    try {
      p.start();
    } catch (MQClientException e) {
      throw new SalvoException(e.errorCode(), e.getMessage(), e);
    }
    return p;
  }

  private List<BrokerAddress> brokerAddresses() {
    try {
      return BrokerAddress.parseList(namesrvAddr, client.defaultPort());
    } catch (SalvoException e) {
      throw new SalvoException(e.code(), "producer group '" + group + "': " + e.getMessage()
          + " (set salvo.client.namesrv-addr or call ProducerSettings.withNamesrvAddr)", e);
    }
  }

  @Override
  public String toString() {
    return "ProducerSettings(group=" + group + ", namesrvAddr=" + namesrvAddr + ", parallelism=" + parallelism
        + ", sendTimeout=" + sendTimeout + ", retryTimes=" + retryTimes
        + (producer != null ? ", shared producer of group " + producer.getProducerGroup() : "") + ")";
  }

  private SalvoException bad(String detail) {
    return new SalvoException(ErrorCode.BAD_REQUEST,
        ErrorCode.BAD_REQUEST.format("producer group '" + group + "': " + detail));
  }
}
