// The environment settings: unset or empty means the default, a malformed value is an error
// that names the variable and what it accepts.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { envNumber, envText, projectHome } from '../../lib/core/config.ts';

const NAME = 'PRITRACE_MAX_UPLOAD_BYTES';
const saved = { [NAME]: process.env[NAME], PRITRACE_HOME: process.env.PRITRACE_HOME };

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('environment settings', () => {
  it('unset and empty read as the default', () => {
    delete process.env[NAME];
    assert.equal(envText(NAME), undefined);
    assert.equal(envNumber(NAME, 7, 'positive'), 7);
    process.env[NAME] = '';
    assert.equal(envText(NAME), undefined);
    assert.equal(envNumber(NAME, 7, 'positive'), 7);
  });

  it('reads a value when it is used, not once', () => {
    process.env[NAME] = '1024';
    assert.equal(envNumber(NAME, 7, 'positive integer'), 1024);
    process.env[NAME] = '2.5';
    assert.equal(envNumber(NAME, 7, 'positive'), 2.5);
  });

  it('refuses what the rule does not accept, naming the variable', () => {
    process.env[NAME] = '0';
    assert.equal(envNumber(NAME, 7, 'non-negative'), 0);
    assert.throws(() => envNumber(NAME, 7, 'positive'), { message: 'PRITRACE_MAX_UPLOAD_BYTES must be a positive number, got "0"' });
    process.env[NAME] = '2.5';
    assert.throws(() => envNumber(NAME, 7, 'positive integer'), { message: 'PRITRACE_MAX_UPLOAD_BYTES must be a positive integer, got "2.5"' });
    process.env[NAME] = '-1';
    assert.throws(() => envNumber(NAME, 7, 'non-negative'), { message: 'PRITRACE_MAX_UPLOAD_BYTES must be a non-negative number, got "-1"' });
    process.env[NAME] = '12MB';
    assert.throws(() => envNumber(NAME, 7, 'non-negative'), /must be a non-negative number, got "12MB"/);
  });

  it('the project folder is PRITRACE_HOME, else the current directory', () => {
    process.env.PRITRACE_HOME = '/srv/pritrace';
    assert.equal(projectHome(), '/srv/pritrace');
    delete process.env.PRITRACE_HOME;
    assert.equal(projectHome(), process.cwd());
  });
});
