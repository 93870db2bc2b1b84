import type {Service} from '@aws-sdk/client-ecs'
import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {UserError} from '../errors.js'

import {type DeployPlan, findService, planRestart} from '../lib/deploy/apply.js'
import {isBeat} from '../lib/deploy/beat.js'
import {deployFlags} from '../flags.js'
import type {DeployResult} from '../lib/deploy/apply.js'
import {deployExitCode, executePlan, runOptions} from '../lib/deploy/run.js'
import {watchInterrupts} from '../lib/logs/output.js'
import {describeEnvServices} from '../resources/ecs.js'
import {createMemo} from '../util/concurrency.js'
import {confirmChange} from '../util/confirm.js'
import {shq} from '../util/shell.js'

export default class Restart extends BaseCommand<typeof Restart> {
  static override summary = 'Restart a service: a new deployment of its current revision'
  static override description = `Starts a new deployment of the service's current task-definition revision (force new deployment), after asking on a protected environment, and waits for it to be steady, printing the service's events as they arrive. --all restarts every service of the environment one after the other, celery-beat last. celery-beat is deployed with maximumPercent 100 / minimumHealthyPercent 0 so two beats never run. While a deployment of the service is under way, no second one is started: it waits for that one.

EXIT CODES
  0    every service restarted is steady (or --dry-run, --no-wait)
  1    a deployment failed (stop reasons shown), --timeout passed, or an AWS error
  2    usage, configuration or credentials error, or confirmation refused without a terminal (use --yes)
  130  interrupted with Ctrl+C (the deployment continues)`

  static override examples = [
    '<%= config.bin %> <%= command.id %> web --environment staging',
    '<%= config.bin %> <%= command.id %> --all --environment staging --yes',
  ]

  static override args = {
    service: Args.string({description: 'The service (web, celery, celery-beat, or its ECS name).'}),
  }
  static override flags = {
    all: Flags.boolean({summary: 'Restart every service of the environment, celery-beat last.'}),
    ...deployFlags,
  }

  public async run(): Promise<DeployResult[]> {
    const {flags, args} = this
    const env = this.envConfig
    if (Boolean(args.service) === Boolean(flags.all)) {
      throw new UserError('Name one service to restart, or give --all (not both).', {
        code: 'USAGE',
        suggestions: [`${this.config.bin} restart web --environment ${env.name}`],
      })
    }

    await this.identity()
    // The environment as the account has it: the cluster and every service discovered.
    const ctx = await this.clusterContext()
    const names = flags.all ? await this.allInOrder(ctx) : [(await findService(ctx, args.service!))[0]]
    const plans: DeployPlan[] = []
    for (const name of names) plans.push(await planRestart(ctx, name))
    if (!flags['dry-run'] && plans.some((p) => p.method !== 'none')) {
      await confirmChange({
        env,
        yes: flags.yes,
        action: `restart ${plans.map((p) => p.service).join(', ')}`,
        command: [this.config.bin, 'restart', ...(flags.all ? ['--all'] : [args.service!]), '--environment', env.name]
          .map(shq)
          .join(' '),
      })
    }

    const interrupts = watchInterrupts()
    const results: DeployResult[] = []
    try {
      for (const plan of plans) {
        if (interrupts.signal.aborted) break
        // A restart re-reads nothing it already read: the memo of this run holds the services as they were planned.
        results.push(
          await executePlan({...ctx, memo: createMemo()}, plan, {
            ...runOptions(flags, interrupts.signal, (line) => this.logToStderr(line)),
            confirm: async () => {},
          }),
        )
        if (results.at(-1)!.outcome === 'failed' || results.at(-1)!.outcome === 'timeout') break
      }
    } finally {
      interrupts.dispose()
    }

    process.exitCode = interrupts.interrupted() ? 130 : deployExitCode(results)
    return results
  }

  /** Every service of the environment, celery-beat last. */
  private async allInOrder(ctx: Parameters<typeof describeEnvServices>[0]): Promise<string[]> {
    const all = [...((await describeEnvServices(ctx)).services as Map<string, Service>).entries()]
    return [...all.filter(([k, s]) => !isBeat(k, s)), ...all.filter(([k, s]) => isBeat(k, s))].map(([k]) => k)
  }
}
