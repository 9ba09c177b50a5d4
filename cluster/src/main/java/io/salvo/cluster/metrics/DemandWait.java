package io.salvo.cluster.metrics;

import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import java.util.function.LongConsumer;

/**
 * A pass-through stage that measures backpressure: how long an element that arrived from upstream waited for
 * downstream's demand (a slow consumer, gRPC flow control). It holds at most one element, so it adds a buffer of one.
 * Each wait is reported in nanoseconds to {@code onWait}.
 */
public final class DemandWait<T> extends GraphStage<FlowShape<T, T>> {
  private final Inlet<T> in = Inlet.create("DemandWait.in");
  private final Outlet<T> out = Outlet.create("DemandWait.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);
  private final LongConsumer onWait;

  public DemandWait(LongConsumer onWait) {
    this.onWait = onWait;
  }

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private T held;
      private long heldSince;

      @Override
      public void preStart() {
        pull(in);
      }

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            T element = grab(in);
            if (isAvailable(out)) {
              push(out, element);
              pull(in);
            } else {
              held = element;
              heldSince = System.nanoTime();
            }
          }

          @Override
          public void onUpstreamFinish() {
            if (held == null) {
              completeStage();
            }
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (held == null) {
              return; // upstream is pulled already
            }
            onWait.accept(System.nanoTime() - heldSince);
            push(out, held);
            held = null;
            if (isClosed(in)) {
              completeStage();
            } else {
              pull(in);
            }
          }
        });
      }
    };
  }
}
