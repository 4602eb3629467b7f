/** Checks of REGISTER's user name and email. */
import { ComputeRefusal } from './errors.js'

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/

/** A user name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit. */
export function checkUserName (user: string): string {
  if (!USER_NAME.test(user)) {
    throw new ComputeRefusal('MALFORMED_MESSAGE', `a user name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; got ${JSON.stringify(user.slice(0, 80))}`)
  }
  return user
}

/** An email address, or nothing. */
export function checkEmail (email: string): string {
  if (email !== '' && (email.length > 254 || !EMAIL.test(email))) {
    throw new ComputeRefusal('MALFORMED_MESSAGE', `not an email address: ${JSON.stringify(email.slice(0, 80))}`)
  }
  return email
}
