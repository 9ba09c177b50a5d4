package io.salvo.client;

/**
 * What producers and consumers share, as RocketMQ's {@code ClientConfig}: where the brokers are and the
 * instance name. Setters take effect at the next {@code start()}. Thread safe.
 */
public class ClientConfig {
  private volatile String namesrvAddr;
  private volatile String instanceName = "DEFAULT";

  protected ClientConfig(String namesrvAddr) {
    this.namesrvAddr = namesrvAddr;
  }

  public String getNamesrvAddr() {
    return namesrvAddr;
  }

  /**
   * Broker client addresses, {@code "host:port;host:port"}; the port defaults to 9876, so RocketMQ's
   * {@code "localhost:9876"} works as written. Read by {@code start()}.
   */
  public void setNamesrvAddr(String namesrvAddr) {
    this.namesrvAddr = namesrvAddr;
  }

  public String getInstanceName() {
    return instanceName;
  }

  /** A name that becomes part of a consumer's client id; kept for RocketMQ compatibility on producers. */
  public void setInstanceName(String instanceName) {
    this.instanceName = instanceName;
  }
}
