import {describe, expect, it} from 'vitest'

import {hintSteps, terminalWidth, tokens, visibleWidth, wrap} from '../../src/report/wrap.js'

const INDENT = {first: '    → ', rest: '      '}

describe('hintSteps', () => {
  it('lists the steps of a hint joined with "; ", one each', () => {
    const hint = 'See why: allthrive logs tail web -e staging --since 15m; allthrive validate --only secrets -e staging'
    expect(hintSteps(hint)).toEqual([
      'See why: allthrive logs tail web -e staging --since 15m',
      'allthrive validate --only secrets -e staging',
    ])
  })

  it('does not split inside quotes, and keeps a hint of one step whole', () => {
    const quoted = `Run: aws ssm start-session --parameters 'command=["a; b"]'`
    expect(hintSteps(quoted)).toEqual([quoted])
    const apostrophe = "The group's tasks stop; then start them again"
    expect(hintSteps(apostrophe)).toEqual(["The group's tasks stop", 'then start them again'])
    expect(hintSteps('Grant s3:ListBucket')).toEqual(['Grant s3:ListBucket'])
  })
})

describe('tokens', () => {
  it('keeps a command as one token, up to a ", " outside quotes', () => {
    const command = 'aws elbv2 describe-load-balancers --query "LoadBalancers[].LoadBalancerName"'
    const words = ['List', 'them', 'with:', `${command},`, 'or', 'fix', 'alb.name.']
    expect(tokens(`List them with: ${command}, or fix alb.name.`)).toEqual(words)
    expect(tokens('aws ecs list-clusters --region us-east-1')).toEqual(['aws ecs list-clusters --region us-east-1'])
    expect(tokens('edit s.json, then aws secretsmanager put-secret-value --secret-id x && rm s.json')).toEqual([
      'edit',
      's.json,',
      'then',
      'aws secretsmanager put-secret-value --secret-id x && rm s.json',
    ])
  })

  it('reads a tool name inside prose as a word', () => {
    const words = ['Check', 'DNS', '(curl', '-sv', 'the', 'URL)', 'from', 'here']
    expect(tokens('Check DNS (curl -sv the URL) from here')).toEqual(words)
  })
})

describe('wrap', () => {
  it('wraps prose at the width, continuing under the text', () => {
    const text = 'Create the alarms (ALB 5xx, ECS CPU and memory, RDS CPU and storage) for staging in allthrive.json.'
    const lines = wrap(text, 40, INDENT)
    expect(lines).toEqual([
      '    → Create the alarms (ALB 5xx, ECS',
      '      CPU and memory, RDS CPU and',
      '      storage) for staging in',
      '      allthrive.json.',
    ])
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40)
  })

  it('starts a command that does not fit on a line of its own, and never breaks it', () => {
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1'
    const command = `aws elbv2 modify-load-balancer-attributes --load-balancer-arn ${arn}`
    const lines = wrap(`Raise the idle timeout: ${command}`, 60, INDENT)
    expect(lines).toEqual(['    → Raise the idle timeout:', `      ${command}`])
  })

  it('keeps a word wider than the line whole', () => {
    const url = `https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:${'x'.repeat(40)}`
    expect(wrap(`See ${url} now`, 50, {first: '• ', rest: '  '})).toEqual(['• See', `  ${url}`, '  now'])
  })

  it('leaves the text alone without a width (a pipe, a file, CI)', () => {
    const text = 'a  long   text '.repeat(30)
    expect(wrap(text, undefined, INDENT)).toEqual([`    → ${text}`])
  })

  it('measures a coloured prefix by what it shows', () => {
    expect(visibleWidth('    \u001B[36m→\u001B[39m ')).toBe(6)
    const arrow = '\u001B[36m→\u001B[39m '
    expect(wrap('one two three', 14, {first: arrow, rest: '  '})).toEqual([`${arrow}one two`, '  three'])
  })
})

describe('terminalWidth', () => {
  it('is the columns of a terminal, and nothing for a pipe', () => {
    expect(terminalWidth({isTTY: true, columns: 100})).toBe(100)
    expect(terminalWidth({isTTY: false, columns: 100})).toBeUndefined()
    expect(terminalWidth({isTTY: true, columns: 0})).toBeUndefined()
  })
})
