import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectBus, type AppConfig } from '#common';
import { EventSubjects, QueueGroups, RECONCILE_EVENTS } from '#contracts';
import { JobQueues } from '#jobs';
import { InjectWorkerConfig } from '../worker.tokens.js';

/**
 * The automatic reconcile, on the workers that consume a node queue: change events (one replica of
 * the node's worker group gets each) ask for a debounced reconcile, and so does a timer every
 * RECONCILE_INTERVAL_SECONDS (events are at-most-once core NATS: the timer bounds how long a lost one
 * can leave files stale). Requests are coalesced here too: while one is on its way to Redis, further
 * events only mark that one more is needed, so a burst costs a handful of Redis round trips.
 */
@Injectable()
export class ReconcileTriggerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ReconcileTrigger');
  private nc: NatsConnection | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  private again = false;

  constructor(
    @InjectWorkerConfig() private readonly config: AppConfig,
    private readonly queues: JobQueues,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.WORKER_QUEUES === 'shared') return;
    if (this.config.RECONCILE_INTERVAL_SECONDS > 0) {
      this.timer = setInterval(() => this.request(), this.config.RECONCILE_INTERVAL_SECONDS * 1000);
      this.timer.unref();
    }
    this.nc = await connectBus(this.config, 'worker', 'events');
    this.nc.subscribe(EventSubjects.All, {
      // Per node: every node's workers must hear each change once.
      queue: `${QueueGroups.Worker}.${this.config.MAIL_NODE_ID}`,
      callback: (err, msg) => {
        if (!err && RECONCILE_EVENTS.includes(msg.subject)) this.request();
      },
    });
  }

  private request(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.queues
      .requestReconcile()
      .catch((err: Error) => this.log.warn(`automatic reconcile not requested: ${err.message}`))
      .finally(() => {
        this.inFlight = false;
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => this.nc?.close());
  }
}
