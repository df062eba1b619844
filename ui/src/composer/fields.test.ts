import { describe, expect, it } from 'vitest';
import { agent, contact } from '../testing/fixtures';
import { fieldValues, fillFields } from './fields';

describe('fillFields', () => {
  const ana = agent({ name: 'Ana Agent' });

  it("fills the contact's name and number and the agent's name, every time they occur", () => {
    const values = fieldValues(contact({ name: 'Carla Contact', phone: '+15551230001' }), ana);
    expect(
      fillFields(
        'Hi {contact.name}, this is {agent.name}. We will text {contact.phone}, {contact.name}.',
        values,
      ),
    ).toBe('Hi Carla Contact, this is Ana Agent. We will text +15551230001, Carla Contact.');
  });

  it('uses the number for a contact without a name', () => {
    expect(fillFields('Hi {contact.name}', fieldValues(contact({ name: null }), ana))).toBe(
      'Hi +15551230001',
    );
    expect(fillFields('Hi {contact.name}', fieldValues(contact({ name: '   ' }), ana))).toBe(
      'Hi +15551230001',
    );
  });

  it('leaves unknown fields and other braces exactly as typed', () => {
    const values = fieldValues(contact(), ana);
    const text = 'Order {order.id} for {contact.email} {name} { contact.name } {Contact.Name} {}';
    expect(fillFields(text, values)).toBe(text);
    // Names of Object.prototype members are not fields either.
    expect(fillFields('{constructor.name} {toString.call}', values)).toBe(
      '{constructor.name} {toString.call}',
    );
  });

  it('leaves the contact fields as typed when the contact is not known', () => {
    expect(fillFields('Hi {contact.name} from {agent.name}', fieldValues(undefined, ana))).toBe(
      'Hi {contact.name} from Ana Agent',
    );
  });

  it('inserts names literally, even when they look like replacement patterns', () => {
    const values = fieldValues(contact({ name: "$& $1 $$ $` $' $<name>" }), agent({ name: '$&' }));
    expect(fillFields('Hi {contact.name}, I am {agent.name}.', values)).toBe(
      "Hi $& $1 $$ $` $' $<name>, I am $&.",
    );
  });

  it('does not fill the fields that a value brings in', () => {
    const values = fieldValues(contact({ name: '{agent.name}' }), ana);
    expect(fillFields('Hi {contact.name}', values)).toBe('Hi {agent.name}');
  });
});
