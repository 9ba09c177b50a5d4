package io.salvo.client.internal;

import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Fails the stream with a {@link TimeoutException} when upstream brings no element for {@code timeout} while
 * downstream is waiting for one. Unlike Akka's {@code idleTimeout}, time during which downstream backpressures does not
 * count: a slow listener never trips it, only a silent upstream does (a ReceiveMessages stream to a broker that went
 * away; a live broker sends an element at least every long-poll, an empty one when the queue is idle).
 */
final class SilenceTimeout<T> extends GraphStage<FlowShape<T, T>> {
  private static final Object TIMER = "silence";

  private final Inlet<T> in = Inlet.create("SilenceTimeout.in");
  private final Outlet<T> out = Outlet.create("SilenceTimeout.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);
  private final Duration timeout;

  SilenceTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            cancelTimer(TIMER);
            push(out, grab(in));
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(in);
            scheduleOnce(TIMER, timeout);
          }
        });
      }

      @Override
      public void onTimer(Object key) {
        failStage(new TimeoutException("no element for " + timeout + " while one was awaited"));
      }
    };
  }
}
