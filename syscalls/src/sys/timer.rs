//! Timer syscalls (spec §9).

use zxsim_kernel::objects::timer::{Timer, CLOCK_BOOT, CLOCK_MONOTONIC, TIMER_SLACK_LATE};
use zxsim_kernel::{Rights, Status};

use super::*;

/// `clock_id` MONOTONIC or BOOT (checked first), `options` a slack mode (CENTER, EARLY, LATE);
/// `INVALID_ARGS` otherwise. Rights 0xD00B.
pub fn zx_timer_create(options: u32, clock_id: zx_clock_t, out: &mut zx_handle_t) -> zx_status_t {
    let status = on_current(|process| {
        if clock_id != CLOCK_MONOTONIC && clock_id != CLOCK_BOOT {
            return Err(Status::INVALID_ARGS);
        }
        if options > TIMER_SLACK_LATE {
            return Err(Status::INVALID_ARGS);
        }
        *out = process.create_object(Timer::new(options, clock_id))?;
        Ok(())
    });
    traced!("zx_timer_create", status, options, clock_id)
}

/// Negative slack: `OUT_OF_RANGE` before the handle is looked at. Needs WRITE. Clears
/// SIGNALED; a deadline of 0 or in the past signals at once.
pub fn zx_timer_set(handle: zx_handle_t, deadline: zx_time_t, slack: zx_duration_t) -> zx_status_t {
    let status = on_current(|process| {
        if slack < 0 {
            return Err(Status::OUT_OF_RANGE);
        }
        let object = process.get_object::<Timer>(handle, Rights::WRITE)?;
        object.set(deadline, slack);
        Ok(())
    });
    traced!("zx_timer_set", status, handle, deadline, slack)
}

/// Needs WRITE. Disarms and clears SIGNALED (a no-op on an unarmed timer).
pub fn zx_timer_cancel(handle: zx_handle_t) -> zx_status_t {
    let status = on_current(|process| {
        let object = process.get_object::<Timer>(handle, Rights::WRITE)?;
        object.cancel();
        Ok(())
    });
    traced!("zx_timer_cancel", status, handle)
}
