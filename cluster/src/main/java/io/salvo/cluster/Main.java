package io.salvo.cluster;

import com.typesafe.config.ConfigFactory;

/** Starts one broker node from the configuration on the classpath and the environment. */
public final class Main {
  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private Main() {}

  public static void main(String[] args) {
    // On 2 CPUs the common pool has parallelism 1, and CompletableFuture then starts a thread per async
    // callback (see CompletionStages). Set before anything touches ForkJoinPool.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    BrokerNode.start(ConfigFactory.load());
  }
}
