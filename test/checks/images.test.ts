import {
  DescribeImagesCommand,
  type DescribeImagesCommandOutput,
  type ECRClient,
  type ImageDetail,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr'
import {
  type ContainerDefinition,
  DescribeTaskDefinitionCommand,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {images} from '../../src/checks/images.js'
import {type EcrImageRef, lookupEcrImages, parseEcrImage} from '../../src/resources/ecr.js'
import {accessDenied, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming} from '../helpers/context.js'
import {
  CLUSTER,
  describeServices as ecsDescribeServices,
  describeTaskDefinitions,
  type Key,
  KEYS,
  noCluster,
  platformServices,
  taskDefinition,
  tdArn,
} from '../helpers/ecs.js'

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
const PULL = 'the next task start will fail with CannotPullContainerError'
const WEAVIATE = 'cr.weaviate.io/semitechnologies/weaviate:1.24'

const describeServices = (over: Partial<Record<Key, Partial<Service> | null>> = {}) =>
  ecsDescribeServices(platformServices(over))

/** web runs its app and an nginx sidecar from one repository; celery and beat share an image; weaviate comes from its own registry. */
const CONTAINERS: Record<Key, ContainerDefinition[]> = {
  web: [
    {name: 'web', image: `${REGISTRY}/allthrive-web:abc123`},
    {name: 'nginx', image: `${REGISTRY}/allthrive-web:nginx-1.25`},
  ],
  celery: [{name: 'celery', image: `${REGISTRY}/allthrive-celery:abc123`}],
  'celery-beat': [{name: 'celery-beat', image: `${REGISTRY}/allthrive-celery:abc123`}],
  weaviate: [{name: 'weaviate', image: WEAVIATE}],
}

const taskDefinitions = (over: Partial<Record<Key, ContainerDefinition[]>> = {}) =>
  describeTaskDefinitions(KEYS.map((key) => taskDefinition(key, {containerDefinitions: over[key] ?? CONTAINERS[key]})))

const detail = (repositoryName: string, tag: string, extra: Partial<ImageDetail> = {}): ImageDetail => ({
  registryId: '123456789012',
  repositoryName,
  imageDigest: `sha256:${tag.padEnd(64, '0')}`,
  imageTags: [tag],
  imageSizeInBytes: 157_286_400,
  imagePushedAt: new Date('2026-11-20T09:30:00Z'),
  imageStatus: 'ACTIVE',
  ...extra,
})

const ecrImages = (repo: string, details: ImageDetail[]) =>
  mocks.ecr
    .on(DescribeImagesCommand, {repositoryName: repo})
    .resolves({imageDetails: details} satisfies Partial<DescribeImagesCommandOutput>)

const imageNotFound = (tag: string) =>
  new ImageNotFoundException({
    message: `The image with imageId {imageDigest:'null', imageTag:'${tag}'} does not exist within the repository with name 'allthrive-web' in the registry with id '123456789012'`,
    $metadata: {httpStatusCode: 400},
  })

const healthyEcr = () => {
  ecrImages('allthrive-web', [detail('allthrive-web', 'abc123'), detail('allthrive-web', 'nginx-1.25')])
  ecrImages('allthrive-celery', [detail('allthrive-celery', 'abc123')])
}

describe('parseEcrImage', () => {
  it.each([
    [
      `${REGISTRY}/allthrive-web:abc123`,
      {registryId: '123456789012', region: 'us-east-1', repository: 'allthrive-web', tag: 'abc123'},
    ],
    [`${REGISTRY}/team/allthrive-web`, {repository: 'team/allthrive-web', tag: 'latest'}],
    [
      `${REGISTRY}/allthrive-web@sha256:${'a'.repeat(64)}`,
      {repository: 'allthrive-web', digest: `sha256:${'a'.repeat(64)}`},
    ],
    [
      `${REGISTRY}/allthrive-web:abc123@sha256:${'b'.repeat(64)}`,
      {repository: 'allthrive-web', digest: `sha256:${'b'.repeat(64)}`},
    ],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:v1',
      {region: 'us-gov-west-1', repository: 'app', tag: 'v1'},
    ],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:v1', {region: 'cn-north-1', repository: 'app', tag: 'v1'}],
    ['123456789012.dkr-ecr.eu-west-1.on.aws/app:v1', {region: 'eu-west-1', repository: 'app', tag: 'v1'}],
  ])('parses %s', (image, expected) => {
    expect(parseEcrImage(image)).toMatchObject({image, ...expected})
  })

  it('parses a digest reference without a tag', () => {
    expect(parseEcrImage(`${REGISTRY}/allthrive-web@sha256:${'a'.repeat(64)}`)).not.toHaveProperty('tag')
  })

  it.each([
    WEAVIATE,
    'docker.io/library/redis:7',
    'redis:7',
    'ghcr.io/org/app:1',
    'public.ecr.aws/nginx/nginx:1.25',
    'localhost:5000/app:1',
    '',
  ])('leaves %s to other registries', (image) => {
    expect(parseEcrImage(image)).toBeUndefined()
  })
})

describe('images check', () => {
  beforeEach(() => resetMocks())

  it('passes with one DescribeImages per repository, listing images from other registries as not verified', async () => {
    describeServices()
    taskDefinitions()
    healthyEcr()
    const r = await images.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('4 images found in ECR, 1 from other registries not verified')
    expect(r.details).toEqual([
      'web: allthrive-web:abc123 pushed 2026-11-20, 150 MB',
      'web (container nginx): allthrive-web:nginx-1.25 pushed 2026-11-20, 150 MB',
      'celery: allthrive-celery:abc123 pushed 2026-11-20, 150 MB',
      'celery-beat: allthrive-celery:abc123 pushed 2026-11-20, 150 MB',
      `weaviate: ${WEAVIATE}: not in ECR, not verified`,
    ])
    expect(mocks.ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 2)
    expect(mocks.ecr).toHaveReceivedCommandWith(DescribeImagesCommand, {
      registryId: '123456789012',
      repositoryName: 'allthrive-web',
      imageIds: [{imageTag: 'abc123'}, {imageTag: 'nginx-1.25'}],
    })
    expect(mocks.ecr).toHaveReceivedCommandWith(DescribeImagesCommand, {
      registryId: '123456789012',
      repositoryName: 'allthrive-celery',
      imageIds: [{imageTag: 'abc123'}],
    })
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 4)
    expect(r.data).toMatchObject({
      images: expect.arrayContaining([
        expect.objectContaining({
          service: 'web',
          container: 'web',
          repository: 'allthrive-web',
          tag: 'abc123',
          state: 'found',
          pushedAt: '2026-11-20T09:30:00.000Z',
          sizeBytes: 157_286_400,
        }),
        expect.objectContaining({service: 'weaviate', image: WEAVIATE, state: 'not-ecr'}),
      ]),
    })
  })

  it('fails naming a missing image, found by per-image calls after ImageNotFoundException', async () => {
    describeServices()
    taskDefinitions()
    healthyEcr()
    mocks.ecr.on(DescribeImagesCommand, {repositoryName: 'allthrive-web'}).rejects(imageNotFound('abc123'))
    mocks.ecr
      .on(DescribeImagesCommand, {repositoryName: 'allthrive-web', imageIds: [{imageTag: 'nginx-1.25'}]})
      .resolves({imageDetails: [detail('allthrive-web', 'nginx-1.25')]})
    const r = await images.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('web image missing')
    expect(r.details?.[0]).toBe(`web: image allthrive-web:abc123 not found in ECR (${PULL})`)
    expect(r.details).toContain('web (container nginx): allthrive-web:nginx-1.25 pushed 2026-11-20, 150 MB')
    expect(r.hint).toBe(
      `push allthrive-web:abc123 to ECR, or roll web back to a revision whose image exists: aws ecs update-service --cluster ${CLUSTER} --service production-allthrive-web --task-definition production-allthrive-web:41`,
    )
    // The batch for allthrive-web, then one call per image of it; one for allthrive-celery.
    expect(mocks.ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 4)
    expect(mocks.ecr).toHaveReceivedCommandWith(DescribeImagesCommand, {
      repositoryName: 'allthrive-web',
      imageIds: [{imageTag: 'abc123'}],
    })
  })

  it('fails naming the repository when it does not exist, for every service using it', async () => {
    describeServices()
    taskDefinitions()
    healthyEcr()
    mocks.ecr.on(DescribeImagesCommand, {repositoryName: 'allthrive-celery'}).rejects(
      new RepositoryNotFoundException({
        message: "The repository with name 'allthrive-celery' does not exist in the registry with id '123456789012'",
        $metadata: {httpStatusCode: 400},
      }),
    )
    const r = await images.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('celery repository missing, celery-beat repository missing')
    expect(r.details?.slice(0, 2)).toEqual([
      `celery: repository allthrive-celery not found in registry 123456789012 (us-east-1): image allthrive-celery:abc123 cannot be pulled (${PULL})`,
      `celery-beat: repository allthrive-celery not found in registry 123456789012 (us-east-1): image allthrive-celery:abc123 cannot be pulled (${PULL})`,
    ])
    expect(mocks.ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 2)
  })

  it('fails on an archived image', async () => {
    describeServices()
    taskDefinitions()
    ecrImages('allthrive-web', [
      detail('allthrive-web', 'abc123', {imageStatus: 'ARCHIVED'}),
      detail('allthrive-web', 'nginx-1.25'),
    ])
    ecrImages('allthrive-celery', [detail('allthrive-celery', 'abc123')])
    const r = await images.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: 'web image archived'})
    expect(r.details?.[0]).toBe(
      `web: image allthrive-web:abc123 is ARCHIVED in ECR: archived images cannot be pulled (${PULL})`,
    )
  })

  it("asks the registry of the image's region, by digest", async () => {
    const digest = `sha256:${'c'.repeat(64)}`
    describeServices()
    taskDefinitions({web: [{name: 'web', image: `210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/web@${digest}`}]})
    ecrImages('shared/web', [detail('shared/web', 'abc123', {registryId: '210987654321', imageDigest: digest})])
    ecrImages('allthrive-celery', [detail('allthrive-celery', 'abc123')])
    const r = await images.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(mocks.ecr).toHaveReceivedCommandWith(DescribeImagesCommand, {
      registryId: '210987654321',
      repositoryName: 'shared/web',
      imageIds: [{imageDigest: digest}],
    })
    const call = mocks.ecr.commandCalls(DescribeImagesCommand, {repositoryName: 'shared/web'})[0]
    expect(await (call.thisValue as ECRClient).config.region()).toBe('eu-west-1')
    expect(r.details?.[0]).toBe('web: shared/web@sha256:cccccccccccc… pushed 2026-11-20, 150 MB')
  })

  it('describes each task definition once per run (memo ecs:taskdef:<arn>)', async () => {
    describeServices({'celery-beat': {taskDefinition: tdArn('celery')}})
    taskDefinitions()
    healthyEcr()
    const ctx = ctxWith()
    await images.run(ctx)
    await images.run(ctx)
    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 3)
    const td = await ctx.memo<TaskDefinition>(`ecs:taskdef:${tdArn('web')}`, () =>
      Promise.reject(new Error('not memoized')),
    )
    expect(td.family).toBe('production-allthrive-web')
  })

  it('warns when a service is not found, checking the others', async () => {
    describeServices({weaviate: null})
    taskDefinitions()
    healthyEcr()
    const r = await images.run(ctxWith())
    expect(r).toMatchObject({status: 'warn', summary: 'weaviate not checked'})
    expect(r.details?.[0]).toBe(
      'weaviate: service production-allthrive-weaviate not found, its images were not checked',
    )
  })

  it('fails when the cluster does not exist', async () => {
    noCluster()
    const r = await images.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: `cluster ${CLUSTER} not found: no task definitions to check`})
  })

  it('is an error naming ecr:DescribeImages when it is denied', async () => {
    describeServices()
    taskDefinitions()
    mocks.ecr.on(DescribeImagesCommand).rejects(accessDenied('ecr:DescribeImages'))
    await expectErrorNaming(images, 'ecr:DescribeImages')
  })

  it('is an error naming ecs:DescribeTaskDefinition when it is denied', async () => {
    describeServices()
    mocks.ecs.on(DescribeTaskDefinitionCommand).rejects(accessDenied('ecs:DescribeTaskDefinition'))
    await expectErrorNaming(images, 'ecs:DescribeTaskDefinition')
  })
})

describe('lookupEcrImages', () => {
  beforeEach(() => resetMocks())

  it('asks for at most 100 images a call', async () => {
    mocks.ecr.on(DescribeImagesCommand).resolves({imageDetails: []})
    const refs: EcrImageRef[] = Array.from({length: 150}, (_, i) =>
      parseEcrImage(`${REGISTRY}/allthrive-web:build-${i}`)!,
    )
    const found = await lookupEcrImages(ctxWith(), refs)
    expect(mocks.ecr).toHaveReceivedCommandTimes(DescribeImagesCommand, 2)
    expect(mocks.ecr.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input.imageIds?.length)).toEqual([
      100, 50,
    ])
    expect(found.size).toBe(150)
  })
})
