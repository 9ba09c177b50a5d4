package io.salvo.bench;

import io.salvo.client.message.Message;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendCallback;
import io.salvo.client.producer.SendResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A short send benchmark against a running broker: 1 KiB messages, sync with 1 and 32 threads and async with a
 * window of 256, each after a warm-up; prints messages/s and exact latency percentiles. Not a test: it asserts
 * nothing. The side-by-side benchmark with RocketMQ is {@code bin/salvo bench} in a later version.
 * Usage: QuickBench [host:port] [seconds per run]
 */
public final class QuickBench {
  private static final byte[] BODY = new byte[1024];

  public static void main(String[] args) throws Exception {
    String address = args.length > 0 ? args[0] : "localhost:9876";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    DefaultMQProducer producer = new DefaultMQProducer("QuickBench");
    producer.setNamesrvAddr(address);
    producer.start();
    try {
      String topic = "QuickBench" + (System.currentTimeMillis() % 100000);
      System.out.printf("Salvo quick benchmark against %s, topic %s, 1 KiB bodies, %d s per run after %d s warm-up%n",
          address, topic, seconds, Math.min(5, seconds));
      sync(producer, topic, 1, Math.min(5, seconds));
      System.out.println(row("sync, 1 thread", sync(producer, topic, 1, seconds), seconds));
      System.out.println(row("sync, 32 threads", sync(producer, topic, 32, seconds), seconds));
      System.out.println(row("async, window 256", async(producer, topic, 256, seconds), seconds));
    } finally {
      producer.shutdown();
    }
  }

  private record Result(long count, long errors, long[] latenciesNanos) {}

  private static Result sync(DefaultMQProducer producer, String topic, int threads, int seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong errors = new AtomicLong();
    List<Future<long[]>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        LongList lat = new LongList();
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          try {
            producer.send(new Message(topic, "A", BODY));
            lat.add(System.nanoTime() - t0);
          } catch (Exception e) {
            errors.incrementAndGet();
          }
        }
        return lat.toArray();
      }));
    }
    LongList all = new LongList();
    for (Future<long[]> f : futures) {
      for (long v : f.get()) {
        all.add(v);
      }
    }
    pool.shutdown();
    long[] lat = all.toArray();
    return new Result(lat.length, errors.get(), lat);
  }

  private static Result async(DefaultMQProducer producer, String topic, int window, int seconds) throws Exception {
    Semaphore permits = new Semaphore(window);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong errors = new AtomicLong();
    LongList lat = new LongList();
    while (System.nanoTime() < end) {
      permits.acquire();
      long t0 = System.nanoTime();
      producer.send(new Message(topic, "A", BODY), new SendCallback() {
        @Override
        public void onSuccess(SendResult result) {
          long d = System.nanoTime() - t0;
          synchronized (lat) {
            lat.add(d);
          }
          permits.release();
        }

        @Override
        public void onException(Throwable e) {
          errors.incrementAndGet();
          permits.release();
        }
      });
    }
    permits.acquire(window);
    synchronized (lat) {
      long[] l = lat.toArray();
      return new Result(l.length, errors.get(), l);
    }
  }

  private static String row(String name, Result r, int seconds) {
    long[] l = r.latenciesNanos().clone();
    Arrays.sort(l);
    return String.format("%-20s %9.0f msg/s   p50 %6.2f ms   p99 %7.2f ms   max %7.1f ms   errors %d",
        name, r.count() / (double) seconds, pct(l, 50), pct(l, 99), l.length == 0 ? 0 : l[l.length - 1] / 1e6, r.errors());
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }

  /** A growable long array, so that latencies are not boxed. */
  private static final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
