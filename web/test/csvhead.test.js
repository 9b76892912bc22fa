import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delimiter, firstRow, guessColumns, normalHeader } from '../src/csvhead.js';

test('the first row, with quotes and a byte-order mark', () => {
  assert.deepEqual(firstRow('\uFEFFSupplier name,"City, town",Country\r\nA,B,C\n'), ['Supplier name', 'City, town', 'Country']);
  assert.deepEqual(firstRow('"say ""hi""",x'), ['say "hi"', 'x']);
  assert.deepEqual(firstRow('only'), ['only']);
});

test('semicolons and tabs', () => {
  assert.equal(delimiter('a;b;c'), ';');
  assert.equal(delimiter('a\tb'), '\t');
  assert.equal(delimiter('a,b;c'), ',');
  assert.deepEqual(firstRow('Name;City\nA;B'), ['Name', 'City']);
});

test('columns by their usual headers', () => {
  assert.deepEqual(guessColumns(['Id', 'Factory Name', 'Country/Region', 'Town']), { name: 1, city: 3, country: 2 });
  assert.deepEqual(guessColumns(['企业名称', '城市']), { name: 0, city: 1 });
  assert.deepEqual(guessColumns(['Qingdao Taekwang Shoes Co.', 'Qingdao']), {});
  assert.equal(normalHeader('factory_name'), 'factory name');
});
