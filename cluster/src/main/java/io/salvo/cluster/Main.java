package io.salvo.cluster;

import com.typesafe.config.ConfigFactory;

/** Starts one broker node from the configuration on the classpath and the environment. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    BrokerNode.start(ConfigFactory.load());
  }
}
