/**
 * Seeds a local moto server (AWS emulator) with two environments named by the
 * platform's naming convention (src/config.ts `conventionFor`):
 *
 *   staging     healthy in every respect `validate` checks;
 *   production  broken on purpose, in known ways (see BREAKAGES below);
 *   demo        found only in the account (not built in, not configured): ECS and logs alone,
 *               by the other naming convention (DEMO below), to exercise discovery.
 *
 * Run:  AWS_ENDPOINT_URL=http://127.0.0.1:5055 npx tsx test/e2e/seed.ts
 *
 * It wipes the emulator first (POST /moto-api/reset), so it is idempotent: every run
 * leaves the same state. It refuses any endpoint that is not on loopback, so it can
 * never write to a real AWS account. Exit 0 when seeded, 1 on any failure, 2 on usage.
 *
 * Besides the records (VPC and security groups, secrets, buckets, RDS, Redis, certificates,
 * logs, ECR images, the ALB, ECS services, alarms, the CloudFront edge) it starts one task per running service
 * with RunTask, since moto's services start none, and freezes moto's task lifecycle so they
 * stay RUNNING (POST /moto-api/state-manager/set-transition).
 *
 * Where moto differs from AWS, the code below does what AWS documents and says so
 * in a comment (see shared/moto/README.md for the emulator's known gaps).
 */
import {ACMClient, ImportCertificateCommand} from '@aws-sdk/client-acm'
import {
  CloudFrontClient,
  CreateDistributionWithTagsCommand,
  CreateOriginAccessControlCommand,
  GetDistributionCommand,
} from '@aws-sdk/client-cloudfront'
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch'
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs'
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2'
import {
  CreateRepositoryCommand,
  ECRClient,
  PutImageCommand,
  RepositoryAlreadyExistsException,
} from '@aws-sdk/client-ecr'
import {
  type ContainerDefinition,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs'
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  CreateCacheClusterCommand,
  CreateCacheSubnetGroupCommand,
  CreateReplicationGroupCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache'
import {CreateDBInstanceCommand, CreateDBSubnetGroupCommand, RDSClient} from '@aws-sdk/client-rds'
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {execFileSync} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {request as httpRequest} from 'node:http'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {conventionFor, type ServiceKey} from '../../src/config.js'

const REGION = 'us-east-1'
const CREDENTIALS = {accessKeyId: 'test', secretAccessKey: 'test'}

/**
 * What is wrong with production, and which `validate` check must report it (`checks` fail,
 * `warns` warn as a consequence). The e2e test asserts against this list, so a change here
 * is a change to the expectations.
 */
export const BREAKAGES = {
  /** stripe/credentials lacks STRIPE_SECRET_KEY, which web's task definition references (staging has it: drift). */
  missingSecretKey: {
    secret: 'stripe/credentials',
    key: 'STRIPE_SECRET_KEY',
    service: 'web' as ServiceKey,
    checks: ['secrets', 'ecs-env'],
  },
  /** celery: desired 1, running 0 (the deployment never completes), so no celery task for ECS Exec either. */
  serviceDown: {service: 'celery' as ServiceKey, checks: ['ecs-services'], warns: ['exec-ready']},
  /** The instance is single-AZ although production expects Multi-AZ. */
  rdsSingleAz: {checks: ['rds']},
  /** The media bucket has no public access block. */
  bucketWithoutPublicAccessBlock: {bucket: 'media' as const, checks: ['s3']},
  /** web's log group holds ERROR events (more than the default fail threshold of 50) and a Traceback. */
  errorLogs: {service: 'web' as ServiceKey, errorEvents: 60, checks: ['cloudwatch-errors']},
  /** celery-beat's task definition names an image tag that is not in ECR (expired after its running task pulled it): the next start fails. */
  missingImage: {service: 'celery-beat' as ServiceKey, tag: 'production-9f8e7d6', checks: ['images']},
  /** The ALB's idle timeout was never set: AWS's default of 60s drops idle WebSockets (the check wants 120s). */
  albIdleTimeoutDefault: {checks: ['alb']},
  /** The database's security group has no inbound rule for 5432 from the ECS tasks' group. */
  rdsPortClosed: {port: 5432, checks: ['network']},
  /** The ALB 5xx alarm is in ALARM. */
  alarmFiring: {alarm: 'alb-5xx', checks: ['alarms']},
  /**
   * CloudFront serves a certificate expiring in 5 days, though certificates of 200 days cover the
   * same names (the ALB's): the served one is judged, so certificates and cloudfront fail.
   */
  servedCertificateExpiring: {days: 5, checks: ['certificates', 'cloudfront']},
} as const

/** Check ids production must fail; every other check must pass there too (or warn, see PRODUCTION_WARNING_CHECKS). */
export const PRODUCTION_FAILING_CHECKS = [...new Set(Object.values(BREAKAGES).flatMap((b) => [...b.checks]))].sort()

/** Check ids production must warn on, as a consequence of a breakage another check fails. */
export const PRODUCTION_WARNING_CHECKS = [
  ...new Set(Object.values(BREAKAGES).flatMap((b) => ('warns' in b ? [...b.warns] : []))),
].sort()

/** Days an imported certificate stays valid. */
const CERT_VALID_DAYS = 200

/** moto's account (STS GetCallerIdentity), which owns the ECR registry. */
const ACCOUNT = '123456789012'

/** The backend image's repository: web, celery and celery-beat run the same image, tagged per environment. */
const BACKEND_REPOSITORY = 'allthrive-backend'

/** What the alb check wants (thresholds.alb.minIdleTimeoutSeconds) for WebSockets. */
const ALB_IDLE_TIMEOUT_SECONDS = 120

export interface SeedOptions {
  /** The emulator, e.g. http://127.0.0.1:5055. */
  endpoint: string
  /** One line per resource created; default console.log. */
  log?: (line: string) => void
  /** The clock for log events and metric datapoints. */
  now?: Date
}

/**
 * The demo environment departs from the convention: cluster `allthriveai-demo` (tagged
 * Project=allthrive, Environment=demo), services `allthriveai-demo-<role>` plus a fifth,
 * `allthriveai-demo-celery-ai` (container `worker`), which is down (desired 1, running 0),
 * all logging into one group `/ecs/allthriveai-demo` with stream prefix `ecs`.
 */
export const DEMO = {
  env: 'demo',
  cluster: 'allthriveai-demo',
  logGroup: '/ecs/allthriveai-demo',
  /** Service short name → container name. */
  services: {
    web: 'web',
    celery: 'celery',
    'celery-beat': 'celery-beat',
    weaviate: 'weaviate',
    'celery-ai': 'worker',
  } as Record<string, string>,
  down: 'celery-ai',
  /** One log line per service, to tell the services' streams apart in the shared group. */
  line: (key: string): string => `INFO demo ${key} heartbeat`,
} as const

export interface SeedResult {
  environments: Record<
    string,
    {
      secretArns: Record<string, string>
      /** Every secret value written, so a test can assert that none is ever printed. */
      secretValues: string[]
      certificateArns: string[]
      redisEndpoint: string
      loadBalancerArn: string
      /** The environment's CloudFront distribution (seedEdge). */
      distributionId: string
      /** The task started for each service (RunTask), by service key; none for a service that is down. */
      taskArns: Partial<Record<string, string>>
    }
  >
}

/** Hosts the seed may write to: it wipes what it points at. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

function assertEmulator(endpoint: string): URL {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new Error(`AWS_ENDPOINT_URL="${endpoint}" is not a URL; expected something like http://127.0.0.1:5055.`)
  }

  if (!LOOPBACK.has(url.hostname)) {
    throw new Error(
      `AWS_ENDPOINT_URL="${endpoint}" is not on loopback: the seed wipes its target and only runs against a local emulator.`,
    )
  }

  return url
}

/**
 * POST to moto's own API with node:http: fetch refuses the ports of its "bad ports" list
 * (5060 and 5061 among them), which an emulator may well be given.
 */
function motoPost(url: URL, body?: string): Promise<{ok: boolean; status: number; text(): Promise<string>}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {method: 'POST', headers: body ? {'content-type': 'application/json'} : {}, timeout: 30_000},
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const status = res.statusCode ?? 0
          resolve({ok: status >= 200 && status < 300, status, text: async () => Buffer.concat(chunks).toString('utf8')})
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error('no answer in 30s')))
    req.on('error', reject)
    req.end(body)
  })
}

async function resetMoto(endpoint: string): Promise<void> {
  let res: Awaited<ReturnType<typeof motoPost>>
  try {
    res = await motoPost(new URL('/moto-api/reset', endpoint))
  } catch (error) {
    throw new Error(
      `moto does not answer at ${endpoint} (${(error as Error).message}). Start it with scripts/moto.sh start.`,
      {cause: error},
    )
  }

  if (!res.ok)
    throw new Error(`POST ${endpoint}/moto-api/reset answered HTTP ${res.status}: is ${endpoint} a moto server?`)
}

/**
 * moto moves a task one lifecycle step per DescribeTasks (RUNNING → DEACTIVATING → … → STOPPED);
 * ECS keeps a healthy service's task RUNNING. Freeze the transitions so the tasks the seed
 * starts stay RUNNING however often the checks describe them. Set after each reset.
 */
async function freezeEcsTasks(endpoint: string): Promise<void> {
  const res = await motoPost(
    new URL('/moto-api/state-manager/set-transition', endpoint),
    JSON.stringify({model_name: 'ecs::task', transition: {progression: 'manual', times: 1_000_000_000}}),
  )
  if (!res.ok)
    throw new Error(
      `POST ${endpoint}/moto-api/state-manager/set-transition answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`,
    )
}

/** A self-signed certificate for `domains` (first = CN), valid `days` from now, via openssl. */
function selfSignedCertificate(domains: string[], days: number): {certificate: Buffer; privateKey: Buffer} {
  const dir = mkdtempSync(join(tmpdir(), 'allthrive-seed-cert-'))
  try {
    const key = join(dir, 'key.pem')
    const cert = join(dir, 'cert.pem')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        String(days),
        '-subj',
        `/CN=${domains[0]}/O=AllThrive e2e seed`,
        '-addext',
        `subjectAltName=${domains.map((d) => `DNS:${d}`).join(',')}`,
      ],
      {stdio: ['ignore', 'ignore', 'pipe']},
    )
    return {certificate: readFileSync(cert), privateKey: readFileSync(key)}
  } catch (error) {
    const stderr = (error as {stderr?: Buffer}).stderr?.toString().trim()
    throw new Error(
      `openssl could not create a self-signed certificate${stderr ? `: ${stderr}` : `: ${(error as Error).message}`}`,
      {cause: error},
    )
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/**
 * A minimal Docker image manifest (schema 2) for PutImage. The digests derive from `tag`, so
 * each tag is a distinct image (ECR would merge identical manifests into one image with two
 * tags). moto reports the config's size as imageSizeInBytes (AWS: the layers'), so the
 * images check shows these as 0 MB.
 */
function imageManifest(tag: string): string {
  const digest = (what: string) =>
    `sha256:${createHash('sha256').update(`${BACKEND_REPOSITORY}:${tag}:${what}`).digest('hex')}`
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: digest('config')},
    layers: [29_126_484, 143_257_812, 12_894_210].map((size, i) => ({
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      size,
      digest: digest(`layer${i}`),
    })),
  })
}

/** Plain (non-secret) values for required variables that no secret holds. */
function plainEnv(env: string, redisEndpoint: string): Record<string, string> {
  return {
    DJANGO_SETTINGS_MODULE: `config.settings.${env}`,
    REDIS_URL: `rediss://${redisEndpoint}:6379/0`,
    WEAVIATE_URL: `http://weaviate.${env}-allthrive.local:8080`,
    PERSISTENCE_DATA_PATH: '/var/lib/weaviate',
  }
}

/** A value that looks real (valueProblem() rejects empty strings and placeholders). */
const fakeSecretValue = (env: string, key: string): string =>
  key === 'DATABASE_URL'
    ? `postgres://allthrive:${randomBytes(12).toString('hex')}@${env}-allthrive-db.aaaaaaaaaa.${REGION}.rds.amazonaws.com:5432/allthrive`
    : `seed-${env}-${key.toLowerCase()}-${randomBytes(8).toString('hex')}`

/** Sizes from the infrastructure reference (CPU units, MiB). */
const SIZES: Record<string, {cpu: number; memory: number}> = {
  web: {cpu: 512, memory: 1024},
  celery: {cpu: 512, memory: 1024},
  'celery-beat': {cpu: 256, memory: 512},
  weaviate: {cpu: 512, memory: 1024},
}

const COMMANDS: Record<string, string[] | undefined> = {
  web: ['daphne', '-b', '0.0.0.0', '-p', '8000', 'config.asgi:application'],
  celery: ['celery', '-A', 'config', 'worker', '-l', 'info'],
  'celery-beat': ['celery', '-A', 'config', 'beat', '-l', 'info'],
  weaviate: undefined,
}

const INFO_LINES: Record<string, string[]> = {
  web: [
    'INFO daphne.server: HTTP/2 support enabled',
    'INFO django.request: GET /api/health/ 200',
    'INFO django.request: GET /api/v1/projects/ 200',
  ],
  celery: [
    'INFO celery.worker: Connected to rediss://redis:6379/0',
    'INFO celery.worker: celery@ip-10-0-1-12 ready.',
    'INFO celery.app.trace: Task core.tasks.refresh_feeds succeeded in 0.41s',
  ],
  'celery-beat': [
    'INFO celery.beat: beat: Starting...',
    'INFO celery.beat: Scheduler: Sending due task refresh-feeds (core.tasks.refresh_feeds)',
  ],
  weaviate: [
    '{"level":"info","msg":"Serving weaviate at http://[::]:8080","time":"2026-01-01T00:00:00Z"}',
    '{"level":"info","msg":"schema loaded","time":"2026-01-01T00:00:00Z"}',
  ],
}

const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/app/payments/views.py", line 88, in create_checkout_session',
  '    stripe.api_key = os.environ["STRIPE_SECRET_KEY"]',
  '  File "/usr/local/lib/python3.12/os.py", line 714, in __getitem__',
  '    raise KeyError(key) from None',
  "KeyError: 'STRIPE_SECRET_KEY'",
].join('\n')

export async function seed(opts: SeedOptions): Promise<SeedResult> {
  const {endpoint} = opts
  const log = opts.log ?? ((line: string) => console.log(line))
  const now = opts.now ?? new Date()
  assertEmulator(endpoint)
  await resetMoto(endpoint)
  await freezeEcsTasks(endpoint)
  log(`reset moto at ${endpoint}; ECS tasks stay RUNNING (state-manager transition frozen)`)

  const config = {endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true, disableHostPrefix: true}
  const c = {
    acm: new ACMClient(config),
    cloudwatch: new CloudWatchClient({...config, disableRequestCompression: true}),
    logs: new CloudWatchLogsClient(config),
    ec2: new EC2Client(config),
    ecr: new ECRClient(config),
    ecs: new ECSClient(config),
    cloudfront: new CloudFrontClient(config),
    elasticache: new ElastiCacheClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    rds: new RDSClient(config),
    s3: new S3Client(config),
    secrets: new SecretsManagerClient(config),
  }

  const result: SeedResult = {environments: {}}
  try {
    for (const envName of ['staging', 'production']) {
      result.environments[envName] = await seedEnvironment(c, envName, envName === 'production', now, log)
    }

    await seedDemo(c, now, log)
  } finally {
    for (const client of Object.values(c)) client.destroy()
  }

  log(
    `seeded: staging (healthy), production (broken: ${PRODUCTION_FAILING_CHECKS.join(', ')} must fail; ${PRODUCTION_WARNING_CHECKS.join(', ')} must warn)`,
  )
  return result
}

type Clients = {
  acm: ACMClient
  cloudwatch: CloudWatchClient
  logs: CloudWatchLogsClient
  ec2: EC2Client
  ecr: ECRClient
  ecs: ECSClient
  cloudfront: CloudFrontClient
  elasticache: ElastiCacheClient
  elbv2: ElasticLoadBalancingV2Client
  rds: RDSClient
  s3: S3Client
  secrets: SecretsManagerClient
}

async function seedEnvironment(c: Clients, envName: string, broken: boolean, now: Date, log: (line: string) => void) {
  const conv = conventionFor(envName)
  const p = `${envName}-allthrive`
  const tags = [
    {Key: 'Environment', Value: envName},
    {Key: 'Project', Value: 'allthrive'},
  ]
  const say = (what: string, name: string, extra = '') =>
    log(`${envName.padEnd(10)} ${what.padEnd(16)} ${name}${extra ? `  ${extra}` : ''}`)

  // ---------------------------------------------------------------- network
  const vpc = await c.ec2.send(
    new CreateVpcCommand({
      CidrBlock: '10.0.0.0/16',
      TagSpecifications: [{ResourceType: 'vpc', Tags: [...tags, {Key: 'Name', Value: `${p}-vpc`}]}],
    }),
  )
  const vpcId = vpc.Vpc!.VpcId!
  // RunTask in moto crashes without DNS hostnames; AWS needs them for private endpoints anyway.
  await c.ec2.send(new ModifyVpcAttributeCommand({VpcId: vpcId, EnableDnsHostnames: {Value: true}}))
  const subnetIds: string[] = []
  for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
    const s = await c.ec2.send(
      new CreateSubnetCommand({VpcId: vpcId, CidrBlock: `10.0.${10 + i}.0/24`, AvailabilityZone: az}),
    )
    subnetIds.push(s.Subnet!.SubnetId!)
  }

  say('vpc', vpcId, `subnets ${subnetIds.join(',')}`)

  // One group per tier, as the platform has them. A new VPC group allows all outbound
  // traffic, so only inbound rules are added: the network check reads both directions.
  const group = async (tier: string, description: string): Promise<string> =>
    (
      await c.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: `${p}-${tier}`,
          Description: description,
          VpcId: vpcId,
          TagSpecifications: [{ResourceType: 'security-group', Tags: [...tags, {Key: 'Name', Value: `${p}-${tier}`}]}],
        }),
      )
    ).GroupId!
  const sg = {
    alb: await group('alb', 'AllThrive load balancer'),
    ecs: await group('ecs', 'AllThrive ECS tasks'),
    db: await group('db', 'AllThrive PostgreSQL'),
    redis: await group('redis', 'AllThrive Redis'),
  }
  const allow = async (groupId: string, port: number, from: {group: string} | {cidr: string}): Promise<string> => {
    const source = 'group' in from ? {UserIdGroupPairs: [{GroupId: from.group}]} : {IpRanges: [{CidrIp: from.cidr}]}
    await c.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{IpProtocol: 'tcp', FromPort: port, ToPort: port, ...source}],
      }),
    )
    return `${port} from ${'group' in from ? from.group : from.cidr}`
  }

  const rules: Record<keyof typeof sg, string[]> = {alb: [], ecs: [], db: [], redis: []}
  for (const port of [443, 80]) rules.alb.push(await allow(sg.alb, port, {cidr: '0.0.0.0/0'}))
  rules.ecs.push(await allow(sg.ecs, 8000, {group: sg.alb}), await allow(sg.ecs, 8080, {group: sg.ecs}))
  // Production's database group admits nothing (BREAKAGES.rdsPortClosed).
  if (!broken) rules.db.push(await allow(sg.db, BREAKAGES.rdsPortClosed.port, {group: sg.ecs}))
  rules.redis.push(await allow(sg.redis, 6379, {group: sg.ecs}))
  for (const tier of Object.keys(sg) as (keyof typeof sg)[]) {
    say(
      'security group',
      sg[tier],
      `${p}-${tier}: inbound ${rules[tier].join(', ') || `NONE${tier === 'db' ? ' (5432 closed to the ECS tasks)' : ''}`}`,
    )
  }

  // ---------------------------------------------------------------- secrets
  const secretArns: Record<string, string> = {}
  const secretValues: string[] = []
  for (const s of conv.secrets) {
    let keys = s.keys
    if (broken && s.key === BREAKAGES.missingSecretKey.secret)
      keys = keys.filter((k) => k !== BREAKAGES.missingSecretKey.key)
    const value = Object.fromEntries(keys.map((k) => [k, fakeSecretValue(envName, k)]))
    secretValues.push(...Object.values(value))
    const out = await c.secrets.send(
      new CreateSecretCommand({
        Name: s.id,
        SecretString: JSON.stringify(value),
        Description: `AllThrive ${envName} ${s.key}`,
        Tags: tags,
      }),
    )
    secretArns[s.key] = out.ARN!
    say(
      'secret',
      out.ARN!,
      `keys ${keys.join(',')}${keys.length < s.keys.length ? ` (missing ${s.keys.filter((k) => !keys.includes(k)).join(',')})` : ''}`,
    )
  }

  // ---------------------------------------------------------------- S3
  for (const [role, bucket] of Object.entries(conv.buckets)) {
    await c.s3.send(new CreateBucketCommand({Bucket: bucket}))
    await c.s3.send(new PutBucketTaggingCommand({Bucket: bucket, Tagging: {TagSet: tags}}))
    const noBlock = broken && role === BREAKAGES.bucketWithoutPublicAccessBlock.bucket
    if (!noBlock) {
      await c.s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        }),
      )
    }

    await c.s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ApplyServerSideEncryptionByDefault: {SSEAlgorithm: 'AES256'}, BucketKeyEnabled: true}],
        },
      }),
    )
    const versioned = role === 'backups'
    if (versioned)
      await c.s3.send(new PutBucketVersioningCommand({Bucket: bucket, VersioningConfiguration: {Status: 'Enabled'}}))
    say(
      'bucket',
      bucket,
      `${noBlock ? 'NO public access block' : 'public access blocked'}, AES256${versioned ? ', versioned' : ''}`,
    )
  }

  // ---------------------------------------------------------------- RDS
  await c.rds.send(
    new CreateDBSubnetGroupCommand({
      DBSubnetGroupName: `${p}-db-subnets`,
      DBSubnetGroupDescription: 'AllThrive database subnets',
      SubnetIds: subnetIds,
    }),
  )
  const multiAz = broken ? false : conv.rds.expectMultiAz
  await c.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: conv.rds.instanceId,
      Engine: 'postgres',
      EngineVersion: '16.3',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MaxAllocatedStorage: 100,
      StorageType: 'gp3',
      StorageEncrypted: true,
      MasterUsername: 'allthrive',
      MasterUserPassword: randomBytes(16).toString('hex'),
      DBName: 'allthrive',
      MultiAZ: multiAz,
      BackupRetentionPeriod: 7,
      DeletionProtection: conv.rds.expectDeletionProtection,
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: true,
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
      DBSubnetGroupName: `${p}-db-subnets`,
      VpcSecurityGroupIds: [sg.db],
      Tags: tags,
    }),
  )
  // RDS publishes FreeStorageSpace itself; AWS rejects PutMetricData into "AWS/" namespaces,
  // moto accepts it, so this stands in for what RDS would report: 15 GiB free of 20.
  await c.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: [14, 9, 4, 1].map((minutesAgo) => ({
        MetricName: 'FreeStorageSpace',
        Dimensions: [{Name: 'DBInstanceIdentifier', Value: conv.rds.instanceId}],
        Timestamp: new Date(now.getTime() - minutesAgo * 60_000),
        Value: 15 * 1024 ** 3,
        Unit: 'Bytes',
      })),
    }),
  )
  say(
    'rds instance',
    conv.rds.instanceId,
    `postgres db.t3.micro multi-az=${multiAz} backups=7d deletion-protection=${conv.rds.expectDeletionProtection}`,
  )

  // ---------------------------------------------------------------- Redis
  await c.elasticache.send(
    new CreateCacheSubnetGroupCommand({
      CacheSubnetGroupName: `${p}-redis-subnets`,
      CacheSubnetGroupDescription: 'AllThrive Redis subnets',
      SubnetIds: subnetIds,
    }),
  )
  const rg = await c.elasticache.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: conv.redis.replicationGroupId,
      ReplicationGroupDescription: `AllThrive ${envName} Redis`,
      Engine: 'redis',
      EngineVersion: '7.1',
      CacheNodeType: 'cache.t3.micro',
      NumCacheClusters: 1,
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      CacheSubnetGroupName: `${p}-redis-subnets`,
      SecurityGroupIds: [sg.redis],
      SnapshotRetentionLimit: 1,
      Tags: tags,
    }),
  )
  const redisEndpoint =
    rg.ReplicationGroup?.NodeGroups?.[0]?.PrimaryEndpoint?.Address ??
    `master.${conv.redis.replicationGroupId}.cache.amazonaws.com`
  // AWS creates the member clusters with the group; moto only lists their ids. Create
  // each listed member so DescribeCacheClusters answers as AWS would. (On AWS this call
  // would add a replica to the group, so the seed only does it against the emulator.)
  for (const member of rg.ReplicationGroup?.MemberClusters ?? []) {
    await c.elasticache.send(
      new CreateCacheClusterCommand({
        CacheClusterId: member,
        ReplicationGroupId: conv.redis.replicationGroupId,
        Engine: 'redis',
        EngineVersion: '7.1',
        CacheNodeType: 'cache.t3.micro',
        NumCacheNodes: 1,
        CacheSubnetGroupName: `${p}-redis-subnets`,
        SecurityGroupIds: [sg.redis],
        TransitEncryptionEnabled: true,
      }),
    )
  }

  // moto keeps the clusters' SecurityGroupIds but leaves SecurityGroups out of DescribeCacheClusters
  // (AWS lists them): the network check cannot judge the paths to Redis and warns (MOTO_WARNINGS in the e2e test).
  say(
    'redis',
    conv.redis.replicationGroupId,
    `transit+at-rest encryption, primary ${redisEndpoint}, members ${(rg.ReplicationGroup?.MemberClusters ?? []).join(',')}`,
  )

  // ---------------------------------------------------------------- ACM
  // One certificate per domain. A single certificate with both names would do on AWS,
  // whose ListCertificates summaries carry SubjectAlternativeNameSummaries; moto's leave
  // them out, so a name held only as a SAN would look uncovered to the certificates check.
  const certificateArns: string[] = []
  for (const domain of seedDomains(envName)) {
    const {certificate, privateKey} = selfSignedCertificate([domain], CERT_VALID_DAYS)
    const cert = await c.acm.send(
      new ImportCertificateCommand({Certificate: certificate, PrivateKey: privateKey, Tags: tags}),
    )
    certificateArns.push(cert.CertificateArn!)
    say('certificate', cert.CertificateArn!, `${domain}, imported, expires in ${CERT_VALID_DAYS} days`)
  }

  // ---------------------------------------------------------------- logs
  for (const s of conv.services) {
    await c.logs.send(
      new CreateLogGroupCommand({
        logGroupName: s.logGroup,
        tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      }),
    )
    await c.logs.send(new PutRetentionPolicyCommand({logGroupName: s.logGroup, retentionInDays: 30}))
    const stream = `ecs/${s.container}/${randomBytes(16).toString('hex')}`
    await c.logs.send(new CreateLogStreamCommand({logGroupName: s.logGroup, logStreamName: stream}))
    const messages = [...INFO_LINES[s.key]]
    const erroring = broken && s.key === BREAKAGES.errorLogs.service
    if (erroring) {
      for (let i = 0; i < BREAKAGES.errorLogs.errorEvents; i++) {
        messages.push(
          i % 3 === 0
            ? `ERROR django.request: Internal Server Error: /api/v1/billing/checkout/ (request ${i})`
            : `ERROR payments.views: Stripe checkout failed: STRIPE_SECRET_KEY is not set (attempt ${i})`,
        )
      }

      messages.push(TRACEBACK)
    }

    // Spread over the last 10 minutes, oldest first (PutLogEvents wants them in order).
    const start = now.getTime() - 10 * 60_000
    const step = Math.floor((9 * 60_000) / messages.length)
    const logEvents = messages.map((message, i) => ({timestamp: start + i * step, message}))
    await c.logs.send(new PutLogEventsCommand({logGroupName: s.logGroup, logStreamName: stream, logEvents}))
    say(
      'log group',
      s.logGroup,
      erroring ? `${BREAKAGES.errorLogs.errorEvents} ERROR events and a Traceback` : `${messages.length} INFO events`,
    )
  }

  // ---------------------------------------------------------------- ECR
  // The repository is shared by the environments (one account); created by the first one.
  const backendTag = `${envName}-0a1b2c3`
  const imageTag = (key: string): string =>
    broken && key === BREAKAGES.missingImage.service ? BREAKAGES.missingImage.tag : backendTag
  try {
    await c.ecr.send(
      new CreateRepositoryCommand({
        repositoryName: BACKEND_REPOSITORY,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: {scanOnPush: true},
        tags: [{Key: 'Project', Value: 'allthrive'}],
      }),
    )
    say('ecr repository', BACKEND_REPOSITORY)
  } catch (error) {
    if (!(error instanceof RepositoryAlreadyExistsException)) throw error
  }

  await c.ecr.send(
    new PutImageCommand({
      repositoryName: BACKEND_REPOSITORY,
      imageTag: backendTag,
      imageManifest: imageManifest(backendTag),
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    }),
  )
  const unpushed = broken ? ` (NOT ${BREAKAGES.missingImage.tag}, which ${BREAKAGES.missingImage.service} names)` : ''
  say('ecr image', `${BACKEND_REPOSITORY}:${backendTag}`, `pushed${unpushed}`)

  // ---------------------------------------------------------------- ALB
  const loadBalancerArn = (
    await c.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: conv.alb.name,
        Type: 'application',
        Scheme: 'internet-facing',
        IpAddressType: 'ipv4',
        Subnets: subnetIds,
        SecurityGroups: [sg.alb],
        Tags: tags,
      }),
    )
  ).LoadBalancers![0].LoadBalancerArn!
  // Production keeps AWS's default (BREAKAGES.albIdleTimeoutDefault). moto reports the
  // attribute only once it was set, so there the check sees none and assumes AWS's 60s.
  const idleSet = !broken
  if (idleSet) {
    await c.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: loadBalancerArn,
        Attributes: [{Key: 'idle_timeout.timeout_seconds', Value: String(ALB_IDLE_TIMEOUT_SECONDS)}],
      }),
    )
  }

  const targetGroupArn = (
    await c.elbv2.send(
      new CreateTargetGroupCommand({
        Name: `${p}-web`,
        Protocol: 'HTTP',
        Port: 8000,
        VpcId: vpcId,
        TargetType: 'ip',
        HealthCheckProtocol: 'HTTP',
        HealthCheckPath: '/api/health/',
        Matcher: {HttpCode: '200'},
        Tags: tags,
      }),
    )
  ).TargetGroups![0].TargetGroupArn!
  // The API is served as api.<domain>: the wildcard certificate covers it.
  const wildcard = seedDomains(envName).findIndex((d) => d.startsWith('*.'))
  const listenerCertificate = certificateArns[Math.max(0, wildcard)]
  await c.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTPS',
      Port: 443,
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{CertificateArn: listenerCertificate}],
      DefaultActions: [{Type: 'forward', TargetGroupArn: targetGroupArn}],
    }),
  )
  await c.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}}],
    }),
  )
  // A new load balancer is `provisioning` for a few minutes on AWS; moto makes it `active`
  // when it is first described, so describe it once here rather than in the check.
  const lbState = (await c.elbv2.send(new DescribeLoadBalancersCommand({LoadBalancerArns: [loadBalancerArn]})))
    .LoadBalancers?.[0]?.State?.Code
  if (lbState !== 'active')
    throw new Error(`${conv.alb.name}: expected state active after one describe, moto reports ${lbState}`)
  say(
    'load balancer',
    conv.alb.name,
    `${lbState}, idle timeout ${idleSet ? `${ALB_IDLE_TIMEOUT_SECONDS}s` : 'NOT SET (AWS default 60s)'}, HTTPS:443 (${listenerCertificate.split('/').pop()}) → ${p}-web, HTTP:80 → redirect HTTPS:443`,
  )

  // ---------------------------------------------------------------- ECS
  await c.ecs.send(
    new CreateClusterCommand({
      clusterName: conv.cluster,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      settings: [{name: 'containerInsights', value: 'enabled'}],
      tags: tags.map((t) => ({key: t.Key, value: t.Value})),
    }),
  )
  say('ecs cluster', conv.cluster)

  const plain = plainEnv(envName, redisEndpoint)
  const awsvpcConfiguration = {subnets: subnetIds, securityGroups: [sg.ecs], assignPublicIp: 'DISABLED' as const}
  const taskArns: Partial<Record<string, string>> = {}
  for (const s of conv.services) {
    const environment: {name: string; value: string}[] = []
    const secrets: {name: string; valueFrom: string}[] = []
    for (const variable of s.requiredEnv) {
      const holder = conv.secrets.find((x) => x.keys.includes(variable))
      if (holder) secrets.push({name: variable, valueFrom: `${secretArns[holder.key]}:${variable}::`})
      else if (plain[variable] !== undefined) environment.push({name: variable, value: plain[variable]})
      else
        throw new Error(
          `The seed has no value for ${variable}, required by ${s.key} in src/config.ts: add it to plainEnv().`,
        )
    }

    const {cpu, memory} = SIZES[s.key]
    const container: ContainerDefinition = {
      name: s.container,
      image:
        s.key === 'weaviate'
          ? 'cr.weaviate.io/semitechnologies/weaviate:1.25.4'
          : `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${BACKEND_REPOSITORY}:${imageTag(s.key)}`,
      essential: true,
      cpu,
      // moto's RunTask needs container-level memory; AWS accepts it too.
      memory,
      command: COMMANDS[s.key],
      environment,
      secrets,
      portMappings:
        s.key === 'web'
          ? [{containerPort: 8000, protocol: 'tcp'}]
          : s.key === 'weaviate'
            ? [{containerPort: 8080, protocol: 'tcp'}]
            : undefined,
      logConfiguration: {
        logDriver: 'awslogs',
        options: {'awslogs-group': s.logGroup, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs'},
      },
    }
    const td = await c.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: s.name,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(cpu),
        memory: String(memory),
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${p}-ecs-execution`,
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${p}-ecs-task`,
        containerDefinitions: [container],
        tags: tags.map((t) => ({key: t.Key, value: t.Value})),
      }),
    )
    const taskDefinition = td.taskDefinition!.taskDefinitionArn!

    // celery-beat must never run twice: deployments stop the old task before starting the new one.
    const deploymentConfiguration =
      s.key === 'celery-beat'
        ? {deploymentCircuitBreaker: {enable: true, rollback: true}, maximumPercent: 100, minimumHealthyPercent: 0}
        : {deploymentCircuitBreaker: {enable: true, rollback: true}, maximumPercent: 200, minimumHealthyPercent: 100}
    // moto freezes the deployment at CreateService and reports rolloutState COMPLETED only
    // when running >= desired at that moment: healthy services start at 0 and are scaled
    // to 1; the broken one is created at 1 and stays at running 0.
    const down = broken && s.key === BREAKAGES.serviceDown.service
    await c.ecs.send(
      new CreateServiceCommand({
        cluster: conv.cluster,
        serviceName: s.name,
        taskDefinition,
        desiredCount: down ? 1 : 0,
        launchType: 'FARGATE',
        platformVersion: 'LATEST',
        networkConfiguration: {awsvpcConfiguration},
        ...(s.key === 'web' && {loadBalancers: [{targetGroupArn, containerName: s.container, containerPort: 8000}]}),
        enableExecuteCommand: true,
        deploymentConfiguration,
        propagateTags: 'SERVICE',
        tags: tags.map((t) => ({key: t.Key, value: t.Value})),
      }),
    )
    // moto ignores enableExecuteCommand and deploymentConfiguration on CreateService; UpdateService keeps them.
    await c.ecs.send(
      new UpdateServiceCommand({
        cluster: conv.cluster,
        service: s.name,
        ...(down ? {} : {desiredCount: 1}),
        enableExecuteCommand: true,
        deploymentConfiguration,
      }),
    )

    const described = await c.ecs.send(new DescribeServicesCommand({cluster: conv.cluster, services: [s.name]}))
    const svc = described.services?.[0]
    const wantRunning = down ? 0 : 1
    if (svc?.desiredCount !== 1 || svc.runningCount !== wantRunning) {
      throw new Error(
        `${s.name}: expected desired 1 / running ${wantRunning}, moto reports desired ${svc?.desiredCount} / running ${svc?.runningCount}. ` +
          'Was the server started with MOTO_ECS_SERVICE_RUNNING set? Restart it without: scripts/moto.sh restart',
      )
    }

    // moto's services start no tasks: start the one ECS would, as ECS tags it (group
    // service:<name>, startedBy the deployment id). The service that is down gets none.
    let started = 'no task (service down)'
    if (!down) {
      const out = await c.ecs.send(
        new RunTaskCommand({
          cluster: conv.cluster,
          taskDefinition,
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          group: `service:${s.name}`,
          startedBy: svc.deployments?.[0]?.id,
          networkConfiguration: {awsvpcConfiguration},
          // As the service would (enableExecuteCommand true). moto does not echo it back, nor managedAgents.
          enableExecuteCommand: true,
          propagateTags: 'SERVICE',
        }),
      )
      const task = out.tasks?.[0]
      if (task?.lastStatus !== 'RUNNING')
        throw new Error(
          `${s.name}: RunTask gave ${task ? `a ${task.lastStatus} task` : `no task (${JSON.stringify(out.failures)})`}`,
        )
      taskArns[s.key] = task.taskArn!
      const ip = task.attachments
        ?.find((a) => a.type === 'ElasticNetworkInterface')
        ?.details?.find((d) => d.name === 'privateIPv4Address')?.value
      started = `task ${task.taskArn!.split('/').pop()} RUNNING${ip ? ` at ${ip}` : ''}`
      // The web service registers its task with the target group, as ECS does for loadBalancers.
      if (s.key === 'web') {
        if (!ip) throw new Error(`${s.name}: RunTask gave no ENI address to register with ${p}-web`)
        await c.elbv2.send(
          new RegisterTargetsCommand({TargetGroupArn: targetGroupArn, Targets: [{Id: ip, Port: 8000}]}),
        )
        started += `, registered with ${p}-web`
      }
    }

    say(
      'ecs service',
      s.name,
      `running ${svc.runningCount}/${svc.desiredCount}, ${environment.length} env + ${secrets.length} secrets, ${taskDefinition.split('/').pop()}, ${started}`,
    )
  }

  // ---------------------------------------------------------------- alarms
  // Created INSUFFICIENT_DATA, as on AWS; SetAlarmState stands in for the evaluations.
  const alarms = [
    {
      name: 'alb-5xx',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_ELB_5XX_Count',
      Dimensions: [{Name: 'LoadBalancer', Value: loadBalancerArn.split(':loadbalancer/')[1]}],
      Statistic: 'Sum' as const,
      Threshold: 10,
    },
    {
      name: 'rds-cpu',
      Namespace: 'AWS/RDS',
      MetricName: 'CPUUtilization',
      Dimensions: [{Name: 'DBInstanceIdentifier', Value: conv.rds.instanceId}],
      Statistic: 'Average' as const,
      Threshold: 80,
    },
    {
      name: 'web-cpu',
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Dimensions: [
        {Name: 'ClusterName', Value: conv.cluster},
        {Name: 'ServiceName', Value: `${p}-web`},
      ],
      Statistic: 'Average' as const,
      Threshold: 85,
    },
  ]
  for (const {name, ...metric} of alarms) {
    const AlarmName = `${conv.alarms.prefix}-${name}`
    await c.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName,
        ...metric,
        Period: 300,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        Tags: tags,
      }),
    )
    const firing = broken && name === BREAKAGES.alarmFiring.alarm
    await c.cloudwatch.send(
      new SetAlarmStateCommand(
        firing
          ? {
              AlarmName,
              StateValue: 'ALARM',
              StateReason: `Threshold Crossed: 1 out of the last 1 datapoints [57.0] was greater than the threshold (${metric.Threshold}.0).`,
            }
          : {
              AlarmName,
              StateValue: 'OK',
              StateReason: `Threshold Crossed: 1 out of the last 1 datapoints was not greater than the threshold (${metric.Threshold}.0).`,
            },
      ),
    )
    say('alarm', AlarmName, firing ? 'ALARM' : 'OK')
  }

  const {distributionId} = await seedEdge(c, envName, broken, loadBalancerArn, say)
  return {secretArns, secretValues, certificateArns, redisEndpoint, loadBalancerArn, distributionId, taskArns}
}

// ---------------------------------------------------------------- domains, CloudFront, served certificates

/** The environment's domains. The CLI guesses none (it reads what is served); the seed decides them. */
function seedDomains(envName: string): string[] {
  const apex = envName === 'production' ? 'allthrive.ai' : `${envName}.allthrive.ai`
  return [apex, `*.${apex}`]
}

/** Managed policies: CachingOptimized, CachingDisabled, AllViewer (AWS docs, "managed policies"). */
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6'
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'
const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3'

/**
 * What the environment serves at the edge: an SNI extra certificate on the ALB's HTTPS listener,
 * and a CloudFront distribution (tagged Environment=<env>, found by that tag) with its own viewer
 * certificate, the frontend bucket through Origin Access Control (the bucket policy allows exactly
 * this distribution), and /api/* and /ws/* to the ALB uncached with all viewer headers.
 */
async function seedEdge(
  c: Clients,
  envName: string,
  broken: boolean,
  loadBalancerArn: string,
  say: (what: string, name: string, extra?: string) => void,
): Promise<{distributionId: string}> {
  const conv = conventionFor(envName)
  const p = `${envName}-allthrive`
  const tags = [
    {Key: 'Environment', Value: envName},
    {Key: 'Project', Value: 'allthrive'},
  ]
  const domains = seedDomains(envName)
  const importCertificate = async (names: string[], days: number): Promise<string> => {
    const {certificate, privateKey} = selfSignedCertificate(names, days)
    const out = await c.acm.send(
      new ImportCertificateCommand({Certificate: certificate, PrivateKey: privateKey, Tags: tags}),
    )
    const arn = out.CertificateArn!
    say('certificate', arn, `${names.join(', ')}, imported, expires in ${days} days`)
    return arn
  }

  const lbs = await c.elbv2.send(new DescribeLoadBalancersCommand({LoadBalancerArns: [loadBalancerArn]}))
  const lb = lbs.LoadBalancers![0]
  const https = (await c.elbv2.send(new DescribeListenersCommand({LoadBalancerArn: loadBalancerArn}))).Listeners!.find(
    (l) => l.Protocol === 'HTTPS',
  )!
  const sni = await importCertificate([`api.${domains[0]}`], CERT_VALID_DAYS)
  const extra = new AddListenerCertificatesCommand({
    ListenerArn: https.ListenerArn,
    Certificates: [{CertificateArn: sni}],
  })
  await c.elbv2.send(extra)
  say('listener cert', sni, `SNI extra on ${conv.alb.name} HTTPS:443`)

  const days = broken ? BREAKAGES.servedCertificateExpiring.days : CERT_VALID_DAYS
  const viewer = await importCertificate(domains, days)
  const oac = (
    await c.cloudfront.send(
      new CreateOriginAccessControlCommand({
        OriginAccessControlConfig: {
          Name: `${p}-frontend`,
          SigningProtocol: 'sigv4',
          SigningBehavior: 'always',
          OriginAccessControlOriginType: 's3',
        },
      }),
    )
  ).OriginAccessControl!.Id!
  const api = (PathPattern: string) => ({
    PathPattern,
    TargetOriginId: 'alb',
    ViewerProtocolPolicy: 'https-only' as const,
    CachePolicyId: CACHING_DISABLED,
    OriginRequestPolicyId: ALL_VIEWER,
  })
  const created = await c.cloudfront.send(
    new CreateDistributionWithTagsCommand({
      DistributionConfigWithTags: {
        Tags: {Items: tags},
        DistributionConfig: {
          CallerReference: `${p}-seed`,
          Comment: 'AllThrive web',
          Enabled: true,
          Aliases: {Quantity: domains.length, Items: domains},
          DefaultRootObject: 'index.html',
          Origins: {
            Quantity: 2,
            Items: [
              {
                Id: 'frontend',
                DomainName: `${conv.buckets.frontend}.s3.${REGION}.amazonaws.com`,
                S3OriginConfig: {OriginAccessIdentity: ''},
                OriginAccessControlId: oac,
              },
              {
                Id: 'alb',
                DomainName: lb.DNSName!,
                CustomOriginConfig: {HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only'},
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 'frontend',
            ViewerProtocolPolicy: 'redirect-to-https',
            CachePolicyId: CACHING_OPTIMIZED,
          },
          CacheBehaviors: {Quantity: 2, Items: [api('/api/*'), api('/ws/*')]},
          ViewerCertificate: {
            ACMCertificateArn: viewer,
            SSLSupportMethod: 'sni-only',
            MinimumProtocolVersion: 'TLSv1.2_2021',
            CloudFrontDefaultCertificate: false,
          },
        },
      },
    }),
  )
  const {Id: distributionId, ARN: distributionArn} = created.Distribution!
  // A new distribution is InProgress for minutes on AWS; moto deploys it when it is first described.
  const status = (await c.cloudfront.send(new GetDistributionCommand({Id: distributionId}))).Distribution?.Status
  await c.s3.send(
    new PutBucketPolicyCommand({
      Bucket: conv.buckets.frontend,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowCloudFrontServicePrincipalReadOnly',
            Effect: 'Allow',
            Principal: {Service: 'cloudfront.amazonaws.com'},
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${conv.buckets.frontend}/*`,
            Condition: {StringEquals: {'AWS:SourceArn': distributionArn}},
          },
        ],
      }),
    }),
  )
  say(
    'distribution',
    distributionId!,
    `${status}, tagged Environment=${envName}, aliases ${domains.join(', ')}, ` +
      `${conv.buckets.frontend} through OAC ${oac}, /api/* and /ws/* → ${lb.DNSName} uncached`,
  )
  return {distributionId: distributionId!}
}

/** The demo environment (DEMO): a cluster by the other convention, five services, one shared log group. */
async function seedDemo(c: Clients, now: Date, log: (line: string) => void): Promise<void> {
  const tags = [
    {key: 'Project', value: 'allthrive'},
    {key: 'Environment', value: DEMO.env},
  ]
  const say = (what: string, name: string, extra = '') =>
    log(`${DEMO.env.padEnd(10)} ${what.padEnd(16)} ${name}${extra ? `  ${extra}` : ''}`)
  const vpc = await c.ec2.send(new CreateVpcCommand({CidrBlock: '10.9.0.0/16'}))
  const vpcId = vpc.Vpc!.VpcId!
  await c.ec2.send(new ModifyVpcAttributeCommand({VpcId: vpcId, EnableDnsHostnames: {Value: true}}))
  const subnet = (
    await c.ec2.send(new CreateSubnetCommand({VpcId: vpcId, CidrBlock: '10.9.10.0/24', AvailabilityZone: 'us-east-1a'}))
  ).Subnet!.SubnetId!
  const sg = (
    await c.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: `${DEMO.cluster}-ecs`,
        Description: 'AllThrive demo ECS tasks',
        VpcId: vpcId,
      }),
    )
  ).GroupId!
  const awsvpcConfiguration = {subnets: [subnet], securityGroups: [sg], assignPublicIp: 'DISABLED' as const}

  await c.logs.send(new CreateLogGroupCommand({logGroupName: DEMO.logGroup}))
  await c.ecs.send(new CreateClusterCommand({clusterName: DEMO.cluster, capacityProviders: ['FARGATE'], tags}))
  say(
    'ecs cluster',
    DEMO.cluster,
    `tags Project=allthrive, Environment=${DEMO.env}; log group ${DEMO.logGroup} shared by every service`,
  )
  for (const [key, container] of Object.entries(DEMO.services)) {
    const name = `${DEMO.cluster}-${key}`
    const td = await c.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${DEMO.cluster}-ecs-task`,
        containerDefinitions: [
          {
            name: container,
            image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${BACKEND_REPOSITORY}:demo`,
            essential: true,
            memory: 512,
            logConfiguration: {
              logDriver: 'awslogs',
              options: {'awslogs-group': DEMO.logGroup, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs'},
            },
          },
        ],
      }),
    )
    const taskDefinition = td.taskDefinition!.taskDefinitionArn!
    const down = key === DEMO.down
    await c.ecs.send(
      new CreateServiceCommand({
        cluster: DEMO.cluster,
        serviceName: name,
        taskDefinition,
        desiredCount: down ? 1 : 0,
        launchType: 'FARGATE',
        networkConfiguration: {awsvpcConfiguration},
        tags,
      }),
    )
    if (!down) await c.ecs.send(new UpdateServiceCommand({cluster: DEMO.cluster, service: name, desiredCount: 1}))
    let taskId = randomBytes(16).toString('hex')
    if (!down) {
      const svc = (await c.ecs.send(new DescribeServicesCommand({cluster: DEMO.cluster, services: [name]})))
        .services?.[0]
      const out = await c.ecs.send(
        new RunTaskCommand({
          cluster: DEMO.cluster,
          taskDefinition,
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          group: `service:${name}`,
          startedBy: svc?.deployments?.[0]?.id,
          networkConfiguration: {awsvpcConfiguration},
        }),
      )
      taskId = out.tasks![0].taskArn!.split('/').pop()!
    }

    // Each service's own stream in the shared group: <prefix>/<container>/<task id>.
    const stream = `ecs/${container}/${taskId}`
    await c.logs.send(new CreateLogStreamCommand({logGroupName: DEMO.logGroup, logStreamName: stream}))
    await c.logs.send(
      new PutLogEventsCommand({
        logGroupName: DEMO.logGroup,
        logStreamName: stream,
        logEvents: [{timestamp: now.getTime() - 60_000, message: DEMO.line(key)}],
      }),
    )
    say(
      'ecs service',
      name,
      `${down ? 'down (desired 1, running 0)' : 'running 1/1'}, container ${container}, stream ${stream}`,
    )
  }
}

// ---------------------------------------------------------------- command line

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const endpoint = process.env.AWS_ENDPOINT_URL
  if (!endpoint) {
    console.error(
      'AWS_ENDPOINT_URL is not set. Start moto (scripts/moto.sh start), then:\n  AWS_ENDPOINT_URL=http://127.0.0.1:5055 npx tsx test/e2e/seed.ts',
    )
    process.exit(2)
  }

  try {
    await seed({endpoint})
  } catch (error) {
    const e = error as Error & {$metadata?: {httpStatusCode?: number}}
    console.error(
      `seed failed: ${e.name}: ${e.message}${e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : ''}`,
    )
    if (process.env.DEBUG) console.error(e.stack)
    process.exit(1)
  }
}
