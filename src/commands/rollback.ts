import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'

import {planRollback} from '../lib/deploy/apply.js'
import {deployFlags} from '../flags.js'
import type {DeployResult} from '../lib/deploy/apply.js'
import {deployExitCode, executePlan, runOptions} from '../lib/deploy/run.js'
import {watchInterrupts} from '../lib/logs/output.js'
import {taskDefinitionLabel} from '../resources/ecs.js'
import {confirmChange} from '../util/confirm.js'
import {shq} from '../util/shell.js'

export default class Rollback extends BaseCommand<typeof Rollback> {
  static override summary = 'Put a service back on the previous task-definition revision that ran'
  static override description = `Shows first what changes (image tags, variable names, secret references, cpu and memory; a migration already applied stays applied), asks on a protected environment, then deploys the previous revision of the service's family that ran (or --to) and waits for the service to be steady, printing its events as they arrive. While a deployment is in progress and the account has ECS's service-deployment APIs, it is stopped with ECS's rollback (StopServiceDeployment, ROLLBACK) instead. celery-beat is deployed with maximumPercent 100 / minimumHealthyPercent 0 so two beats never run. Running it twice does not deploy twice.

EXIT CODES
  0    the service is steady on the target revision (or --dry-run, --no-wait)
  1    the deployment failed (stop reasons shown), --timeout passed, or an AWS error
  2    usage, configuration or credentials error, or confirmation refused without a terminal (use --yes)
  130  interrupted with Ctrl+C (the deployment continues)`

  static override examples = [
    '<%= config.bin %> <%= command.id %> web --environment staging',
    '<%= config.bin %> <%= command.id %> web --to 41 --dry-run',
    '<%= config.bin %> <%= command.id %> celery-beat --environment production --yes --timeout 10m',
  ]

  static override args = {
    service: Args.string({required: true, description: 'The service (web, celery, celery-beat, or its ECS name).'}),
  }
  static override flags = {
    to: Flags.string({
      summary:
        'The revision to go back to: 41, family:41 or a task-definition ARN. Default: the previous one that ran.',
      helpValue: '<revision>',
    }),
    ...deployFlags,
  }

  public async run(): Promise<DeployResult> {
    const {flags, args} = this
    const env = this.envConfig
    await this.identity()
    // The environment as the account has it: the cluster and every service discovered.
    const ctx = await this.clusterContext()
    const plan = await planRollback(ctx, args.service, flags.to)
    const interrupts = watchInterrupts()
    try {
      const result = await executePlan(ctx, plan, {
        ...runOptions(flags, interrupts.signal, (line) => this.logToStderr(line)),
        confirm: (p) =>
          confirmChange({
            env,
            yes: flags.yes,
            action: `roll back ${p.service} to ${taskDefinitionLabel(p.to.taskDefinition)}`,
            command: [this.config.bin, 'rollback', p.service, '--environment', env.name, '--to', String(p.to.revision)]
              .map(shq)
              .join(' '),
          }),
      })
      process.exitCode = deployExitCode([result])
      return result
    } finally {
      interrupts.dispose()
    }
  }
}
